"""Full text for summary-only feeds: the page an entry links to, its article text as the body.

Only for sources with `fetch_full_text` on, and only in the task worker: the importer
enqueues one `ingest.fulltext.fetch_full_texts` task per poll with the entries that were new
or changed (so an article is fetched again only when its entry changes). Each page is
fetched with the feeds' limits (ingest/fetch.py: SSRF guards, size, time, redirects), once
robots.txt allows it, one request at a time per host with a pause between them
(ingest/hosts.py). The article text is found by trafilatura (or the source's own CSS
selector), with the source's "parts to drop" removed first; it is cleaned with the editor's
nh3 allow-list, relative links made absolute. Pictures stay only where trafilatura keeps
them (inside the article), with their caption and credit when the page has a figcaption.

A page is not used, and the article keeps the feed's text, when it cannot be fetched
(403, timeout...), robots.txt forbids it, it is paywalled (schema.org
`isAccessibleForFree: false`, a locked content tier, a paywall element, or "subscribe to
continue reading" in the text), or its text is too short (FULLTEXT_MIN_WORDS, or shorter
than what the feed gave). The source's admin row says how the last run went and why.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urljoin, urlsplit

import lxml.html
from cssselect import SelectorError
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django_tasks import task
from lxml import etree

from articles.models import Article, Source
from articles.sanitize import MarkupTooComplex, sanitize_html

from .entries import absolutizer
from .feedxml import decode
from .fetch import FetchError, check_host, fetch
from .hosts import HostBusy, polite, robots_allows
from .models import FeedState

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
PAYWALL_MARKUP = [
    re.compile(rb"[\"']isAccessibleForFree[\"']\s*:\s*[\"']?false", re.I),
    re.compile(rb"<meta[^>]{0,200}content_tier[^>]{0,200}content=[\"']?locked", re.I),
    re.compile(rb"(?:class|id)=[\"'][^\"']{0,200}\b(?:paywall|regwall|subscriber-only)\b", re.I),
]
PAYWALL_TEXT = re.compile(
    r"\b(?:subscribe|sign in|log in|register|become a member)\b[^.]{0,40}"
    r"\b(?:to (?:continue|keep) reading|to read (?:the full|the rest|more|on))",
    re.I,
)
PAYWALL_PHRASES = ("continue reading", "keep reading", "to read the", "to read more", "to read on")
XML_PROLOG = re.compile(r"^\s*<\?xml[^>]*>")
TAG = re.compile(r"<[^>]{0,2000}>")
# Parts of a page that are never the article, removed before trafilatura looks (as
# readability's "unlikely candidates"): site furniture by tag, and elements whose class
# or id is one of these words (a whole word: "share-tools" but not "shared").
NEVER_ARTICLE_TAGS = ["nav", "footer", "aside", "form", "button", "dialog"]
NEVER_ARTICLE = re.compile(
    r"(?:^|[\s_-])(?:cookies?|consent|gdpr|newsletter|share|sharing|social|related|"
    r"most-read|popular|comments?|breadcrumbs?|subscribe|promo|advert|ad-slot|counter)"
    r"(?:$|[\s_-])",
    re.I,
)


class NoFullText(Exception):
    """The page gives no usable article text; the message says why, for editors."""


def words(html: str) -> int:
    return len(strip_tags(html).split())


def paywalled(data: bytes, page: str) -> bool:
    """Whether the page says its article is for subscribers (markup or words). A cheap
    substring test first: the patterns over a whole 150 KB page cost 20 ms."""
    lower = data.lower()
    hints = (b"isaccessibleforfree", b"content_tier", b"paywall", b"regwall", b"subscriber-only")
    if any(hint in lower for hint in hints) and any(p.search(data) for p in PAYWALL_MARKUP):
        return True
    low = page.lower()
    if any(phrase in low for phrase in PAYWALL_PHRASES):
        return bool(PAYWALL_TEXT.search(TAG.sub(" ", page)))
    return False


def _captions(tree, base: str) -> dict[str, etree._Element]:
    """Each figure's picture address -> its figcaption (the caption and credit)."""
    found = {}
    for figure in tree.iter("figure"):
        image, caption = figure.find(".//img"), figure.find(".//figcaption")
        if image is not None and caption is not None and image.get("src"):
            found[urljoin(base, image.get("src").strip())] = caption
    return found


def _drop_furniture(tree) -> None:
    doomed = [el for el in tree.iter(*NEVER_ARTICLE_TAGS)]
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("html", "body", "article"):
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if names.strip() and NEVER_ARTICLE.search(names):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def extract(page: str, *, url: str, selector: str = "", drop: str = "") -> str:
    """The article's HTML (not yet cleaned) from a page; NoFullText when none is found."""
    try:
        tree = lxml.html.fromstring(XML_PROLOG.sub("", page) or "<html></html>")
    except (etree.ParserError, ValueError):
        raise NoFullText("the page is not HTML") from None
    try:
        for element in tree.cssselect(drop) if drop.strip() else []:
            element.drop_tree()
        if selector.strip():
            nodes = tree.cssselect(selector)
            if not nodes:
                raise NoFullText(f"the article body selector {selector!r} matched nothing")
            return "".join(lxml.html.tostring(node, encoding="unicode") for node in nodes)
    except SelectorError:
        raise NoFullText("the source's CSS selectors are not valid") from None
    _drop_furniture(tree)
    captions = _captions(tree, url)
    # Imported here, not with the module: every process start (gunicorn, task workers,
    # manage.py) loads this module through the task registry, and trafilatura's imports
    # cost about 0.1 CPU-second there, for the task workers that fetch full texts only.
    import trafilatura

    found = trafilatura.extract(
        tree,
        url=url,
        output_format="html",
        include_images=True,
        include_links=True,
        include_comments=False,
        include_tables=True,
        # No second opinion from trafilatura's readability and jusText fallbacks: on
        # the labelled set they cost time and made the worst page worse (docs/ingestion.md).
        fast=True,
    )
    if not found:
        raise NoFullText("no article text was found on the page")
    body = lxml.html.fromstring(found)
    for heading in body.iter("h1"):  # the headline: the article has its own
        heading.drop_tree()
    for image in list(body.iter("img")):
        caption = captions.get(image.get("src", ""))
        if caption is not None:
            figure = etree.Element("figure")
            image.addprevious(figure)
            figure.append(image)
            figure.append(etree.fromstring(lxml.html.tostring(caption)))
    inner = body.find("body")
    root = inner if inner is not None else body
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def article_text(article: Article, source: Source, *, deadline: float) -> str:
    """The cleaned article text of `article.original_url`, or NoFullText saying why."""
    url = article.original_url
    if not url:
        raise NoFullText("the entry has no link")
    host = urlsplit(url).hostname or ""
    try:
        check_host(url)  # before robots.txt: a refused address is said as such
        if not robots_allows(url, deadline=deadline):
            raise NoFullText("the site's robots.txt does not allow it")
        with polite(host, deadline=deadline):
            result = fetch(
                url, max_bytes=settings.FULLTEXT_MAX_BYTES, accept=PAGE_ACCEPT, deadline=deadline
            )
    except (FetchError, HostBusy) as exc:
        raise NoFullText(str(exc).rstrip(".")) from None
    return body_from_page(
        result.body,
        url=result.url,
        content_type=result.content_type,
        selector=source.full_text_selector,
        drop=source.full_text_drop,
        feed_words=max(words(article.body), len(article.summary.split())),
    )


def body_from_page(
    data: bytes,
    *,
    url: str,
    content_type: str = "",
    selector: str = "",
    drop: str = "",
    feed_words: int = 0,
) -> str:
    """The cleaned article text of a fetched page, or NoFullText saying why not.

    `feed_words`: how many words the feed itself gave; a page with fewer is not used.
    """
    page = decode(data, content_type=content_type, html=True).text
    raw = extract(page, url=url, selector=selector, drop=drop)
    try:
        body = sanitize_html(raw, attribute_filter=absolutizer(url))
    except MarkupTooComplex as exc:
        raise NoFullText(f"the article's markup is too complex ({exc})") from None
    if paywalled(data, TAG.sub(" ", page)):
        raise NoFullText("the page is behind a paywall")
    found = words(body)
    if found < settings.FULLTEXT_MIN_WORDS:
        raise NoFullText(f"too little text on the page ({found} words)")
    if found < feed_words:
        raise NoFullText(
            f"the page's text ({found} words) is shorter than the feed's ({feed_words})"
        )
    return body


@task()
def fetch_full_texts(source_id: int, items: list[list]) -> str:
    """Replace each listed article's body by its page's text; `items` are
    [article id, feed hash] pairs: an article whose entry changed since is left to the
    task the newer poll enqueued. Returns (and notes on the source) how it went."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return "no source"
    ends = time.monotonic() + settings.FULLTEXT_TASK_BUDGET
    done, failures, rest = 0, [], []
    for position, (article_id, feed_hash) in enumerate(items):
        # At least one article per task, however small the budget: a follow-up task
        # that did nothing would hand the same list on for ever.
        if position and time.monotonic() > ends:
            rest = items[position:]
            break
        article = _current(article_id, feed_hash)
        if article is None:
            continue
        one_fetch = settings.FEED_DEADLINE or 3 * settings.FEED_TIMEOUT
        try:
            body = article_text(article, source, deadline=max(ends, time.monotonic() + one_fetch))
        except NoFullText as exc:
            failures.append(f"{article.title[:60]!r}: {exc}")
            continue
        if _store(article_id, feed_hash, body):
            done += 1
    note = f"{done} of {len(items)} articles fetched in full, {timezone.localtime():%d %b %H:%M}"
    if rest:
        note += f"; {len(rest)} left for a follow-up task"
    if failures:
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        note += f"; kept the summary: {failures[0]}{more}"
    FeedState.objects.filter(pk=source_id).update(full_text_note=note[:500])
    if rest:
        _follow_up(source_id, rest)
    return note


def _current(article_id: int, feed_hash: str) -> Article | None:
    """The article, if its entry is still the one fetched for and no editor took over."""
    return (
        Article.objects.filter(pk=article_id, feed_hash=feed_hash, edited_in_admin=False)
        .exclude(status=Article.Status.WITHDRAWN)
        .first()
    )


def _store(article_id: int, feed_hash: str, body: str) -> bool:
    with transaction.atomic():
        article = (
            Article.objects.select_for_update()
            .filter(pk=article_id, feed_hash=feed_hash, edited_in_admin=False)
            .first()
        )
        if article is None:
            return False
        article.body = body
        article.full_text_fetched_at = timezone.now()
        article.save()
    return True


def _follow_up(source_id: int, items: list[list]) -> None:
    fetch_full_texts.enqueue(source_id, items)
