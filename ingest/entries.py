"""From a parsed feed entry to the plain values an article needs.

Nothing here touches the database: `entry_from_feed` turns one feedparser entry into a
`FeedEntry` with the text made safe (nh3, relative links made absolute against the
entry's link), dates made timezone-aware and the wire-credit candidates collected. The
importer (ingest/importer.py) decides what to do with it.
"""

from __future__ import annotations

import email.utils
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from articles.sanitize import sanitize_html

MAX_TOPICS_PER_ENTRY = 10
URL_ATTRIBUTES = {("a", "href"), ("img", "src"), ("blockquote", "cite"), ("q", "cite")}
# "(Yonhap)", "(AP)" at the very end of the text, perhaps followed by a full stop.
TRAILING_CREDIT = re.compile(r"\(\s*([^()]{2,60}?)\s*\)[\s.]*$")
# A dateline: "SEOUL, March 3 (Yonhap) -- ..." at the start of the text.
DATELINE_CREDIT = re.compile(r"^[^()]{0,80}?\(\s*([^()]{2,60}?)\s*\)\s*(?:--|—|–|-)")
BY_PREFIX = re.compile(r"^\s*by\s+", re.IGNORECASE)


@dataclass
class FeedEntry:
    """One feed entry, ready to be written as an article."""

    key: str  # the GUID, or the link when there is none
    title: str
    link: str
    summary: str  # plain text
    body: str  # sanitized HTML
    byline: str
    published_at: datetime
    updated_at: datetime
    categories: list[str]
    image_url: str
    credits: list[str] = field(default_factory=list)  # names that may be a wire agency
    hash: str = ""
    notes: list[str] = field(default_factory=list)  # what was repaired, for the report


def entry_from_feed(raw, *, fetched_at: datetime, feed_url: str = "") -> FeedEntry | None:
    """Normalise a feedparser entry; None when it has neither a GUID nor a usable link.

    A relative entry link is made absolute against `feed_url` (where the feed came from).
    """
    link = _http_url(raw.get("link", ""), base=feed_url)
    guid = (raw.get("id") or "").strip()
    key = guid or link
    if not key:
        return None
    if len(key) > 500:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()

    content_html = _content_html(raw)
    summary_html = raw.get("summary", "") or ""
    body_source = content_html or summary_html
    # Cleaned once (MarkupTooComplex propagates: the importer leaves the entry out and
    # says why); the plain text comes from the cleaned body, not from a second pass.
    body = sanitize_html(body_source, attribute_filter=absolutizer(link))
    body_text = _plain(body)
    if summary_html and summary_html != body_source:
        summary = _text(summary_html)
    else:
        summary = body_text if summary_html else ""
    summary = Truncator(summary or body_text).chars(600)

    title = _text(raw.get("title", "")) or Truncator(summary).words(12) or "Untitled"
    notes: list[str] = []
    published = _checked_date(raw, "published", fetched_at=fetched_at, notes=notes)
    updated = _checked_date(raw, "updated", fetched_at=fetched_at, notes=notes)
    categories = _categories(raw)
    image_url = _image_url(raw, base=link)
    author = _author(raw)

    credits = []
    source = raw.get("source") or {}
    if source.get("title"):
        credits.append(_text(source["title"]))
    if author:
        credits.append(BY_PREFIX.sub("", author))
        credits.extend(part.strip() for part in re.split(r",|/|\band\b", author) if part)
    # The credit may close the summary rather than the body: "... (Meridian Press Agency)".
    for text in (body_text, summary):
        for pattern in (TRAILING_CREDIT, DATELINE_CREDIT):
            match = pattern.search(text)
            if match:
                credits.append(match.group(1))

    entry = FeedEntry(
        key=key,
        title=Truncator(title).chars(250),
        link=link[:500],
        summary=summary,
        body=body,
        byline=Truncator(author).chars(200),
        published_at=published or updated or fetched_at,
        updated_at=updated or published or fetched_at,
        categories=categories,
        image_url=image_url,
        credits=[c for c in credits if c],
        notes=[f"{Truncator(title).chars(80)!r}: {note}" for note in notes],
    )
    # The hash covers what the feed said, not what we derived (a missing date becomes the
    # fetch time, which must not make an unchanged entry look changed).
    entry.hash = _hash(
        raw,
        key=key,
        body_source=body_source,
        summary_html=summary_html,
        categories=categories,
        image_url=image_url,
    )
    return entry


def absolutizer(base: str):
    """An nh3 attribute filter that makes relative URLs absolute against `base`."""

    def absolute(tag: str, attr: str, value: str) -> str | None:
        if (tag, attr) not in URL_ATTRIBUTES:
            return value
        value = value.strip()
        if value.startswith("#") or value.lower().startswith("mailto:"):
            return value
        return _http_url(value, base=base) or None

    return absolute


def _http_url(value: str, *, base: str) -> str:
    """`value` made absolute; empty unless the result is an http(s) URL."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        url = urljoin(base, value) if base else value
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return ""
    return url


def _text(markup: str) -> str:
    """Plain text from feed HTML, whitespace collapsed (templates escape it again)."""
    return _plain(sanitize_html(markup) if "<" in markup else markup)


def _plain(cleaned: str) -> str:
    return " ".join(html.unescape(strip_tags(cleaned)).split())


def _content_html(raw) -> str:
    for part in raw.get("content") or []:
        value = part.get("value") or ""
        if not value.strip():
            continue
        if part.get("type", "text/html") == "text/plain":
            return "".join(f"<p>{html.escape(p)}</p>" for p in value.split("\n\n") if p.strip())
        return value
    return ""


def _author(raw) -> str:
    detail = raw.get("author_detail") or {}
    name = detail.get("name") or ""
    if not name:
        authors = raw.get("authors") or [{}]
        name = (authors[0] or {}).get("name") or raw.get("author") or ""
    name = _text(name)
    # Never publish an address someone put in the author field.
    return "" if "@" in name else name


def _categories(raw) -> list[str]:
    seen, out = set(), []
    for tag in raw.get("tags") or []:
        term = _text(tag.get("label") or tag.get("term") or "")[:80]
        if term and term.lower() not in seen:
            seen.add(term.lower())
            out.append(term)
        if len(out) >= MAX_TOPICS_PER_ENTRY:
            break
    return out


def _image_url(raw, *, base: str) -> str:
    """The first image enclosure, else the first media:content that is an image."""
    for link in raw.get("links") or []:
        if link.get("rel") == "enclosure" and (link.get("type") or "").startswith("image/"):
            url = _http_url(link.get("href", ""), base=base)
            if url:
                return url[:500]
    for media in raw.get("media_content") or []:
        kind, medium = media.get("type") or "", media.get("medium") or ""
        if kind.startswith("image/") or medium == "image" or not (kind or medium):
            url = _http_url(media.get("url", ""), base=base)
            if url:
                return url[:500]
    return ""


# A feed's date outside this window is a mistake or a trick (year 9999 would keep an
# article "scheduled" for ever; year 1 overflows when converted to UTC).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
MAX_OFFSET = timedelta(hours=14)  # the widest real UTC offset (Line Islands)
TRAILING_OFFSET = re.compile(r"([+-])(\d\d):?(\d\d)$")


def _checked_date(raw, name: str, *, fetched_at: datetime, notes: list[str]):
    """The entry's `name` date, or None (the fetch time stands in) with a note when the
    feed gives one that is unreadable, out of range or has an impossible UTC offset."""
    text = str(raw.get(name, "") or "")
    try:
        # "+2500" is no offset; Python refuses it, and feedparser's fallback took it.
        zone = TRAILING_OFFSET.search(text.strip())
        if zone and int(zone.group(2)) * 60 + int(zone.group(3)) > MAX_OFFSET.seconds // 60:
            raise ValueError("impossible UTC offset")
        value = _date(text, raw.get(f"{name}_parsed"))
        if value is None:
            return None
        offset = value.utcoffset()
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise ValueError("impossible UTC offset")
        value = value.astimezone(UTC)  # raises OverflowError at the ends of the calendar
        if not EARLIEST <= value <= fetched_at + FUTURE_SLACK:
            raise ValueError("out of range")
    except (OverflowError, ValueError) as exc:
        notes.append(f"its {name} date {text[:60]!r} is not usable ({exc}); the fetch time is used")
        return None
    return value


def _date(raw: str, parsed) -> datetime | None:
    """A timezone-aware datetime; a date without a zone is read in settings.TIME_ZONE."""
    raw = (raw or "").strip()
    value = None
    if raw:
        try:
            value = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            value = None
        if value is None:
            try:
                value = datetime.fromisoformat(raw)
            except ValueError:
                value = None
    if value is None and parsed:
        # feedparser understood a format we do not; it gives UTC.
        value = datetime(*parsed[:6], tzinfo=UTC)
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


def _hash(raw, *, key, body_source, summary_html, categories, image_url) -> str:
    source = raw.get("source") or {}
    data = [
        key,
        raw.get("title", ""),
        raw.get("link", ""),
        summary_html,
        body_source,
        raw.get("author", ""),
        raw.get("published", ""),
        raw.get("updated", ""),
        categories,
        image_url,
        source.get("title", ""),
    ]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()
