"""Feed ingestion: a source's RSS or Atom feed becomes articles, without duplicates.

`ingest_source` is the one service the management commands, the admin's "Fetch now"
action and the tests call. It fetches (ingest/fetch.py), decodes, repairs and parses
(ingest/feedxml.py, feedparser),
normalises each entry (ingest/entries.py) and writes it in its own transaction,
so an entry is either imported whole or not at all. An entry already imported (same GUID,
or link when it has no GUID) is updated only when it changed, and never once an editor
has changed it in the admin. Topics and agencies are looked up once per run and the
known articles in one query per 500 entries, so the number of SQL queries per entry does
not grow with the number of articles stored (see bench/ingest_bench.py).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Source, Topic, unique_slug
from articles.sanitize import MarkupTooComplex

from . import images
from .entries import FeedEntry, entry_from_feed
from .feedxml import parse
from .fetch import FetchError, fetch, is_http_url, read_local
from .fulltext import fetch_full_texts
from .models import DeletedEntry, FeedState, PendingImage

logger = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
LOOKUP_BATCH = 500


@dataclass
class IngestReport:
    """What one run did to one source, for the command output and the admin."""

    source: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why entries were skipped
    repairs: list[str] = field(default_factory=list)  # what the feed needed to be read
    # [article id, feed hash] of the entries written: their pages, for full text.
    written: list[list] = field(default_factory=list)
    not_modified: bool = False
    failed: bool = False  # the feed itself could not be fetched or parsed
    max_age: int | None = None  # what the server said about polling again (seconds)
    retry_after: int | None = None

    @property
    def messages(self) -> list[str]:
        """Errors, then skip notes: one line each, for the command and the admin."""
        return self.errors + self.notes

    @property
    def entries(self) -> int:
        return self.new + self.updated + self.unchanged + self.skipped

    def line(self) -> str:
        text = (
            f"{self.source}: {self.new} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped, {len(self.errors)} errors"
        )
        if self.not_modified:
            text += " (feed not modified)"
        return text


def ingest_source(
    *,
    source: Source,
    location: str = "",
    publish: bool | None = None,
    deadline: float | None = None,
) -> IngestReport:
    """Import the feed at `location` (a URL or a file; default the source's feed_url).

    New articles are drafts unless `publish` is true or the source auto-publishes; then
    they are published at their own publication time. Failures to fetch or parse are
    recorded on the source and returned in the report, never raised. Fetching (the feed
    and its images) ends by `deadline` (a time.monotonic() value; default
    FEED_SOURCE_BUDGET, or 6 x FEED_TIMEOUT, from now): images not reached in time are left for the
    next run. The feed is decoded and repaired first (ingest/feedxml.py); a source with
    full text on gets one task for the entries written (ingest/fulltext.py).
    """
    if deadline is None:
        deadline = time.monotonic() + (settings.FEED_SOURCE_BUDGET or 6 * settings.FEED_TIMEOUT)
    report = IngestReport(source=source.slug)
    location = location or source.feed_url
    publish = source.auto_publish if publish is None else publish
    now = timezone.now()
    state = FeedState.of(source)
    try:
        fetched = _fetch(source, state, location, report, deadline)
        if fetched is None:  # not modified: only the pictures left from earlier polls
            report.notes.extend(images.retry_pending(source=source, deadline=deadline))
            _record_success(state, now=now)
            return report
        feed = parse(fetched.body, content_type=fetched.content_type)
    except FetchError as exc:
        report.retry_after = exc.retry_after
        report.failed = True
        report.errors.append(str(exc))
        _record_failure(state, error=str(exc), now=now)
        return report
    report.repairs = feed.repairs
    if feed.repairs:
        report.notes.append(f"Feed repaired: {'; '.join(feed.repairs)}.")
    entries, refused = _map_entries(feed.feed.entries, source, fetched.url, now, report)
    _import_entries(
        source=source, entries=entries, publish=publish, report=report, deadline=deadline
    )
    report.errors.extend(refused)
    report.notes.extend(images.retry_pending(source=source, deadline=deadline))
    # A body with errors (an image not reached, an entry refused or not written) is not
    # remembered: the next poll reads it again, and an entry that was not written is
    # retried.
    if fetched.digest:
        state.body_sha256 = "" if report.errors else fetched.digest
    state.repairs = "; ".join(report.repairs)[:300]
    _record_success(state, now=now, problems=refused)
    if source.fetch_full_text and report.written:
        fetch_full_texts.enqueue(source.pk, report.written)
    return report


@dataclass
class _Fetched:
    body: bytes
    url: str = ""  # the base for relative links (after redirects); empty for a file
    content_type: str = ""
    digest: str = ""  # the body's SHA-256, for the source's own feed over HTTP


def _fetch(
    source: Source, state: FeedState, location: str, report: IngestReport, deadline: float
) -> _Fetched | None:
    """The feed's bytes from `location`, or None when the source's own feed has not
    changed since the last poll (the server's 304, or the same body again). Raises
    FetchError."""
    if not location:
        raise FetchError("The source has no feed URL.")
    if not is_http_url(location):
        if "://" in location:
            raise FetchError(f"Only http and https addresses or local files: {location[:200]}")
        return _Fetched(body=read_local(location, max_bytes=settings.FEED_MAX_BYTES))
    # Conditional GET only for the source's own feed: its validators belong to that URL.
    conditional = location == source.feed_url
    result = fetch(
        location,
        max_bytes=settings.FEED_MAX_BYTES,
        etag=state.etag if conditional else "",
        last_modified=state.last_modified if conditional else "",
        accept=FEED_ACCEPT,
        deadline=deadline,
    )
    report.max_age = result.max_age
    if result.not_modified:
        report.not_modified = True
        return None
    fetched = _Fetched(body=result.body, url=result.url, content_type=result.content_type)
    if conditional:
        state.etag, state.last_modified = result.etag, result.last_modified
        # Many servers send no validators, or new ones for the same bytes: the same body
        # as the last one imported without an error is not modified either, and costs no
        # parsing (feedparser and cleaning every entry took 25 of the 30 ms a poll of 20
        # unchanged entries cost).
        fetched.digest = hashlib.sha256(result.body).hexdigest()
        if fetched.digest == state.body_sha256:
            report.not_modified = True
            return None
    return fetched


def _map_entries(
    raw_entries, source: Source, base_url: str, now: datetime, report: IngestReport
) -> tuple[list, list[str]]:
    """The feed's entries as importable entries, and notes on those refused (too complex
    or too slow to clean: noted on the source). An entry with neither GUID nor link is
    an error of the report."""
    entries, refused = [], []
    for raw in raw_entries:
        title = str(raw.get("title", ""))[:80]
        started = time.monotonic()
        try:
            entry = entry_from_feed(raw, fetched_at=now, feed_url=base_url)
        except MarkupTooComplex as exc:
            refused.append(f"{title!r} was left out: {exc}.")
            continue
        spent = time.monotonic() - started
        if spent > settings.FEED_ENTRY_BUDGET:
            # The limits in articles/sanitize.py should make this impossible; if some
            # other markup still costs this much, it is not worth a slot in every run.
            logger.warning("Entry %s of %s took %.1f s to clean", raw.get("id"), source.slug, spent)
            refused.append(
                f"{title!r} was left out: cleaning it took "
                f"{spent:.1f} s (the limit is {settings.FEED_ENTRY_BUDGET:g} s)."
            )
        elif entry is None:
            report.errors.append(f"An entry with neither GUID nor link was left out: {title!r}")
        else:
            report.notes.extend(entry.notes)
            entries.append(entry)
    return entries, refused


def _record_success(state: FeedState, *, now: datetime, problems: list[str] = ()) -> None:
    """The feed was read. Entries it had to leave out are noted on the source (the
    admin's "Last error"), without counting as a failure of the feed."""
    state.last_fetched_at = now
    state.last_error = ""
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        state.last_error = f"Fetched, but: {problems[0]}{more}"[:1000]
    state.consecutive_failures = 0
    _save(state)


def _record_failure(state: FeedState, *, error: str, now: datetime) -> None:
    state.last_fetched_at = now
    state.last_error = error[:1000]
    state.consecutive_failures += 1
    # No log line: the failure is on the feed state and in the report the caller prints.
    _save(state)


# What a poll writes: the full-text task writes full_text_note and the scheduler the
# schedule, perhaps while the poll runs, and the poll must not put back older values.
POLL_FIELDS = [
    "etag",
    "last_modified",
    "body_sha256",
    "last_fetched_at",
    "last_error",
    "consecutive_failures",
    "repairs",
]


def _save(state: FeedState) -> None:
    if state._state.adding:
        state.save()
    else:
        state.save(update_fields=POLL_FIELDS)


class _Run:
    """Lookups shared by every entry of one run: topics, agencies, known articles."""

    def __init__(self, source: Source, entries: list[FeedEntry]):
        self.source = source
        self.known: dict[str, Article] = {}
        self.deleted: set[str] = set()  # GUIDs of imported articles an editor deleted
        # Articles whose lead image failed earlier: one query, not one per entry.
        self.pending_images = set(
            PendingImage.objects.filter(article__source=source).values_list("article_id", flat=True)
        )
        keys = list({e.key for e in entries})
        for start in range(0, len(keys), LOOKUP_BATCH):
            batch = keys[start : start + LOOKUP_BATCH]
            for article in Article.objects.filter(source=source, guid__in=batch):
                self.known[article.guid] = article
            self.deleted.update(
                DeletedEntry.objects.filter(source=source, guid__in=batch).values_list(
                    "guid", flat=True
                )
            )
        self.topics: dict[str, Topic] = {}
        terms = sorted({t for e in entries for t in e.categories})
        for start in range(0, len(terms), LOOKUP_BATCH):
            batch = terms[start : start + LOOKUP_BATCH]
            slugs = {_topic_slug(t) for t in batch}
            for topic in Topic.objects.filter(Q(name__in=batch) | Q(slug__in=slugs)):
                self.topics[topic.name.lower()] = topic
                self.topics[topic.slug] = topic
        self.agencies: dict[str, Source] = {}
        for agency in Source.objects.filter(kind=Source.Kind.AGENCY):
            for name in [agency.name, agency.slug, *agency.alias_list()]:
                self.agencies.setdefault(name.strip().lower(), agency)

    def topic(self, term: str) -> Topic:
        found = self.topics.get(term.lower()) or self.topics.get(_topic_slug(term))
        if found:
            return found
        slug = _topic_slug(term)
        try:
            with transaction.atomic():
                found, _ = Topic.objects.get_or_create(slug=slug, defaults={"name": term})
        except IntegrityError:
            # The name is taken by a topic with another slug.
            found = Topic.objects.get(name=term)
        self.topics[term.lower()] = self.topics[slug] = found
        return found

    def agency(self, entry: FeedEntry) -> Source | None:
        for name in entry.credits:
            agency = self.agencies.get(name.strip().lower())
            if agency:
                return agency
        return None


def _topic_slug(term: str) -> str:
    return slugify(term)[:80] or "topic-" + hashlib.sha1(term.encode()).hexdigest()[:10]


def _import_entries(
    *,
    source: Source,
    entries: list[FeedEntry],
    publish: bool,
    report: IngestReport,
    deadline: float,
) -> None:
    run = _Run(source, entries)
    for entry in entries:
        article = run.known.get(entry.key)
        if article is not None and article.feed_hash == entry.hash:
            report.unchanged += 1
            continue
        why = _left_alone(article, deleted=article is None and entry.key in run.deleted)
        if why:
            report.skipped += 1
            report.notes.append(
                f"Skipped, {why}: {(article.title if article else entry.title)[:80]!r}"
            )
            continue
        image = image_error = None
        if entry.image_url and (article is None or article.feed_image_url != entry.image_url):
            try:
                image = images.download(entry.image_url, deadline=deadline)
            except images.ImageError as exc:
                image_error = str(exc)
                report.errors.append(image_error)
        try:
            # Topics are made outside the entry's transaction: a rolled-back entry must
            # not leave the run's cache pointing at topics that no longer exist.
            topics = [run.topic(term) for term in entry.categories]
            with transaction.atomic():
                saved = _write(
                    entry,
                    article=article,
                    source=source,
                    run=run,
                    image=image,
                    topics=topics,
                    publish=publish,
                )
        except Exception as exc:  # one bad entry never stops the feed
            logger.exception("Entry %s of %s failed", entry.key, source.slug)
            report.errors.append(f"{entry.title[:80]!r} was not imported: {exc}")
            # The cached article was changed in memory by the rolled-back write.
            run.known.pop(entry.key, None)
            continue
        run.known[entry.key] = saved
        report.written.append([saved.pk, saved.feed_hash])
        if image_error:
            images.note_failure(saved, entry.image_url, image_error, now=timezone.now())
        elif saved.pk in run.pending_images and (image is not None or not entry.image_url):
            images.forget(saved)
        if article is None:
            report.new += 1
        else:
            report.updated += 1


def _left_alone(article: Article | None, *, deleted: bool) -> str:
    """Why a changed entry is not written, or "": editors have the last word."""
    if deleted:
        return "an editor deleted it"
    if article is not None and article.edited_in_admin:
        return "an editor has changed it in the admin"
    if article is not None and article.status == Article.Status.WITHDRAWN:
        return "an editor withdrew it"
    return ""


def _write(
    entry: FeedEntry,
    *,
    article: Article | None,
    source: Source,
    run: _Run,
    image: tuple[str, bytes] | None,
    topics: list[Topic],
    publish: bool,
) -> Article:
    created = article is None
    if created:
        article = Article(source=source, guid=entry.key)
        article.slug = _import_slug(entry, source=source)
        article.status = Article.Status.PUBLISHED if publish else Article.Status.DRAFT
    article.title = entry.title
    article.summary = entry.summary
    article.body = entry.body
    article.byline = entry.byline
    article.original_url = entry.link
    article.feed_hash = entry.hash
    article.full_text_fetched_at = None  # the body is the feed's again, until fetched
    article.feed_updated_at = entry.updated_at
    agency = run.agency(entry)
    if agency is not None:
        article.agency = agency
    if created or article.status == Article.Status.DRAFT:
        article.published_at = entry.published_at
    # Kept when an editor publishes the draft later: "First published by <source> at ...".
    article.first_published_at = entry.published_at
    if image is not None:
        name, data = image
        article.lead_image.save(name, ContentFile(data), save=False)
        article.feed_image_url = entry.image_url
    elif not entry.image_url:
        article.feed_image_url = ""
    article.save()
    if created:
        Through = Article.topics.through
        unique = {t.pk for t in topics}
        Through.objects.bulk_create([Through(article_id=article.pk, topic_id=pk) for pk in unique])
    else:
        article.topics.set(topics)
    return article


def _import_slug(entry: FeedEntry, *, source: Source) -> str:
    """A free slug in at most three queries, however many articles share the title.

    Feeds often reuse a title ("Tide table"); numbering them (-2, -3...) would cost one
    query per earlier namesake, so a namesake gets a suffix from its GUID instead.
    """
    base = slugify(entry.title)[:230] or "article"
    if not Article.objects.filter(slug=base).exists():
        return base
    digest = hashlib.sha1(f"{source.pk}:{entry.key}".encode()).hexdigest()[:8]
    tagged = f"{base}-{digest}"
    if not Article.objects.filter(slug=tagged).exists():
        return tagged
    return unique_slug(entry.title)
