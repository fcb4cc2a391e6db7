"""Store an export's comments in batches: matched to articles, parents kept, idempotent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, resolve

from accounts import text
from articles.models import Article
from comments.models import Comment, ModerationLog
from comments.rules import fingerprint

from . import disqus, wordpress
from .authors import AuthorResolver
from .records import Entry, ExportError, Origin, Thread, normalise_origin, plain_text
from .rules import clean_body, held_for_length, too_long

READERS = {"wordpress": wordpress.read, "disqus": disqus.read}
LABELS = {"wordpress": "WordPress", "disqus": "Disqus"}
BATCH_SIZE = 500
THREAD_BATCH = 200  # thread addresses looked up together (12 spellings each)


@dataclass
class Summary:
    read: int = 0
    imported: int = 0
    already_there: int = 0
    parent_missing: int = 0  # kept as top-level comments
    empty: int = 0
    statuses: Counter = field(default_factory=Counter)
    unmatched: Counter = field(default_factory=Counter)  # thread URL -> comments left out
    skipped: dict = field(default_factory=dict)  # pingbacks, unreadable dates...
    origin: str = ""
    new_authors: int = 0
    refused_names: int = 0  # authors shown as "Imported reader"
    readers_addresses: int = 0  # new imported authors at an address a reader confirmed
    too_long: int = 0  # kept whole, held for a moderator
    controls_removed: int = 0
    adopted: int = 0  # imported before origins were kept, now under this origin

    @property
    def unmatched_comments(self) -> int:
        return sum(self.unmatched.values())


def import_comments(
    *,
    source: str,
    path: str,
    origin: str = "",
    batch_size: int = BATCH_SIZE,
    progress: Callable[[Summary], None] | None = None,
) -> Summary:
    """Read the export at `path` and store what is not there yet.

    `origin` names the site the export comes from when it does not say (or to override
    what it says): comment ids are unique per source and origin. Raises
    records.ExportError on unreadable XML or an export with no origin; every comment
    read before the error is stored (a re-run after fixing the file adds only the rest)."""
    summary = Summary(origin=normalise_origin(origin))
    loader = _Loader(source, summary, batch_size)
    try:
        for record in READERS[source](path, summary.skipped):
            if isinstance(record, Origin):
                if not summary.origin:
                    summary.origin = normalise_origin(record.value)
                continue
            if isinstance(record, Thread):
                loader.thread(record)
                continue
            summary.read += 1
            loader.add(record)
            if progress and summary.read % 1000 == 0:
                progress(summary)
    finally:
        if summary.origin:
            loader.flush()  # what was read whole before a malformed part is kept
    authors = loader.authors
    if authors is not None:
        summary.new_authors, summary.refused_names = authors.created, authors.refused_names
        summary.readers_addresses = authors.readers_addresses
    return summary


class _Loader:
    def __init__(self, source: str, summary: Summary, batch_size: int) -> None:
        self.source = source
        self.summary = summary
        self.batch_size = batch_size
        self.authors: AuthorResolver | None = None
        self.threads: dict[str, tuple[int | None, str]] = {}  # key -> (article id, url)
        self.unresolved: dict[str, str] = {}  # key -> url, looked up together
        self.pending: list[Entry] = []

    def thread(self, thread: Thread) -> None:
        self.unresolved[thread.key] = thread.url
        if len(self.unresolved) >= THREAD_BATCH:
            self._resolve()

    def _resolve(self) -> None:
        found = find_articles(set(self.unresolved.values()))
        for key, url in self.unresolved.items():
            self.threads[key] = (found.get(url), url)
        self.unresolved = {}

    def add(self, entry: Entry) -> None:
        if not self.summary.origin:
            raise ExportError(
                f"The export does not say which site it comes from (no "
                f"{'wp:base_site_url' if self.source == 'wordpress' else 'forum'} before "
                "its first comment): give it with --origin (the old site's address)."
            )
        self.pending.append(entry)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        if self.authors is None:
            self.authors = AuthorResolver(self.source, self.summary.origin)
        self._resolve()
        with transaction.atomic():
            self._store(self.pending)
        self.pending = []

    def _store(self, entries: list[Entry]) -> None:
        origin = self.summary.origin
        mine = Comment.objects.filter(import_source=self.source)
        ids = {e.external_id for e in entries}
        wanted = {e.parent_id for e in entries if e.parent_id}
        rows = mine.filter(import_origin=origin, external_id__in=ids | wanted).values_list(
            "external_id", "pk", "article_id"
        )
        known = {ext: (pk, article_id) for ext, pk, article_id in rows}
        existing = ids & known.keys()
        parents = {ext: known[ext] for ext in wanted & known.keys()}
        self._adopt(entries, known, existing, parents)
        # A reply whose parent is in this batch waits for the round after its parent's:
        # one INSERT per level of nesting in the batch, not one per comment.
        new = [e for e in entries if e.external_id not in existing]
        self.summary.already_there += len(entries) - len(new)
        self.authors.prepare(
            [e for e in new if self.threads.get(e.thread_key, (None,))[0] is not None]
        )
        remaining = new
        while remaining:
            waiting = {e.external_id for e in remaining}
            ready, later = [], []
            for e in remaining:
                blocked = e.parent_id in waiting and e.parent_id != e.external_id
                (later if blocked else ready).append(e)
            if not ready:  # parents naming each other in a circle: treat them as missing
                ready, later = later, []
            comments = [c for e in ready if (c := self._comment(e, existing, parents))]
            self._insert(comments)
            parents.update({c.external_id: (c.pk, c.article_id) for c in comments})
            remaining = later

    def _adopt(self, entries: list[Entry], known: dict, existing: set, parents: dict) -> None:
        """Comments imported before origins were kept (origin "") are this export's when
        the id and the article match: they join this origin instead of coming twice."""
        article = {e.external_id: self.threads.get(e.thread_key, (None,))[0] for e in entries}
        for e in entries:  # a parent's article is its reply's
            if e.parent_id and e.parent_id not in article:
                article[e.parent_id] = article[e.external_id]
        missing = {ext for ext in article if ext not in known and article[ext] is not None}
        if not missing:
            return
        legacy = Comment.objects.filter(
            import_source=self.source, import_origin="", external_id__in=missing
        ).values_list("external_id", "pk", "article_id")
        adopted, batch = [], {e.external_id for e in entries}
        for ext, pk, article_id in legacy:
            if article[ext] == article_id:
                adopted.append(pk)
                known[ext] = (pk, article_id)
                if ext in batch:
                    existing.add(ext)
                parents[ext] = (pk, article_id)
        if adopted:
            Comment.objects.filter(pk__in=adopted).update(import_origin=self.summary.origin)
            self.summary.adopted += len(adopted)

    def _insert(self, comments: list[Comment]) -> None:
        Comment.objects.bulk_create(comments)
        label = LABELS[self.source]
        ModerationLog.objects.bulk_create(
            ModerationLog(
                comment=c,
                action=ModerationLog.Action.POSTED,
                to_status=c.status,
                reason=f"Imported from {label} ({c.import_origin}, id {c.external_id})"[:300],
                created_at=c.created_at,
                about=f"comment {c.pk} on article {c.article_id} by reader {c.author_id}",
            )
            for c in comments
        )
        self.summary.imported += len(comments)
        self.summary.statuses.update(c.status for c in comments)

    def _comment(self, entry: Entry, existing: set, parents: dict) -> Comment | None:
        if entry.external_id in existing:
            self.summary.already_there += 1
            return None
        existing.add(entry.external_id)  # a duplicate later in the export is skipped too
        article_id, url = self.threads.get(entry.thread_key, (None, entry.thread_key))
        if article_id is None:
            self.summary.unmatched[url or "(no address)"] += 1
            return None
        body, controls = clean_body(plain_text(entry.body_html))
        self.summary.controls_removed += controls
        if not text.visible(body).strip():
            self.summary.empty += 1
            return None
        status, reason, reason_text = entry.status, "", ""
        if too_long(body):
            status, reason, reason_text = held_for_length(status, body)
            self.summary.too_long += 1
        parent_id = None
        if entry.parent_id:
            parent_id, parent_article = parents.get(entry.parent_id, (None, None))
            if parent_id is None or parent_article != article_id:
                parent_id = None
                self.summary.parent_missing += 1
        return Comment(
            article_id=article_id,
            author_id=self.authors.user_id(entry.author_name, entry.author_email),
            parent_id=parent_id,
            body=body,
            fingerprint=fingerprint(body),
            status=status,
            hold_reason=reason,
            hold_reason_text=reason_text,
            created_at=entry.created_at,
            import_source=self.source,
            import_origin=self.summary.origin,
            external_id=entry.external_id[:100],
        )


def find_article(url: str) -> int | None:
    """The article an old thread was about (see `find_articles`)."""
    return find_articles({url}).get(url)


def find_articles(urls: set[str]) -> dict[str, int]:
    """The articles old threads were about, by thread address, in two queries whatever
    the number of threads: one of ours by its address on SITE_URL, or the article whose
    original URL is the thread's address (scheme, "www." and a final slash aside).
    Addresses with no article are left out."""
    site = _host(urlsplit(settings.SITE_URL).netloc)
    slugs: dict[str, str] = {}
    spellings: dict[str, str] = {}
    for url in filter(None, urls):
        parts = urlsplit(url.strip())
        if _host(parts.netloc) == site:
            try:
                match = resolve(parts.path or "/")
            except Resolver404:
                match = None
            if match is not None and match.view_name == "articles:detail":
                slugs[match.kwargs["slug"]] = url
        host, path = parts.netloc.lower(), parts.path.rstrip("/")
        query = f"?{parts.query}" if parts.query else ""
        for scheme in ("http", "https"):
            for h in {host, _host(host), f"www.{_host(host)}"}:
                for slash in ("", "/"):
                    spellings.setdefault(f"{scheme}://{h}{path}{slash}{query}", url)
    found: dict[str, int] = {}
    if spellings:
        rows = Article.objects.filter(original_url__in=list(spellings))
        for original, pk in rows.order_by("-pk").values_list("original_url", "pk"):
            found[spellings[original]] = pk
    if slugs:  # our own address wins over an original URL
        for slug, pk in Article.objects.filter(slug__in=list(slugs)).values_list("slug", "pk"):
            found[slugs[slug]] = pk
    return found


def _host(netloc: str) -> str:
    host = netloc.lower()
    return host[4:] if host.startswith("www.") else host
