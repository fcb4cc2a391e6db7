"""Store an export's comments in batches: matched to articles, parents kept, idempotent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, resolve

from articles.models import Article
from comments.models import Comment, ModerationLog
from comments.rules import fingerprint

from . import disqus, wordpress
from .authors import AuthorResolver
from .records import Entry, Thread, plain_text

READERS = {"wordpress": wordpress.read, "disqus": disqus.read}
LABELS = {"wordpress": "WordPress", "disqus": "Disqus"}
BATCH_SIZE = 500


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
    readers: int = 0
    new_authors: int = 0

    @property
    def unmatched_comments(self) -> int:
        return sum(self.unmatched.values())


def import_comments(
    *,
    source: str,
    path: str,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[Summary], None] | None = None,
) -> Summary:
    """Read the export at `path` and store what is not there yet.

    Raises records.ExportError on unreadable XML; every comment read before the error is
    stored (a re-run after fixing the file adds only the rest)."""
    summary = Summary()
    loader = _Loader(source, summary, batch_size)
    try:
        for record in READERS[source](path, summary.skipped):
            if isinstance(record, Thread):
                loader.thread(record)
                continue
            summary.read += 1
            loader.add(record)
            if progress and summary.read % 1000 == 0:
                progress(summary)
    finally:
        loader.flush()  # what was read whole before a malformed part is kept
    summary.readers, summary.new_authors = loader.authors.readers, loader.authors.created
    return summary


class _Loader:
    def __init__(self, source: str, summary: Summary, batch_size: int) -> None:
        self.source = source
        self.summary = summary
        self.batch_size = batch_size
        self.authors = AuthorResolver(source)
        self.threads: dict[str, tuple[int | None, str]] = {}  # key -> (article id, url)
        self.pending: list[Entry] = []

    def thread(self, thread: Thread) -> None:
        self.threads[thread.key] = (find_article(thread.url), thread.url)

    def add(self, entry: Entry) -> None:
        self.pending.append(entry)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        with transaction.atomic():
            self._store(self.pending)
        self.pending = []

    def _store(self, entries: list[Entry]) -> None:
        mine = Comment.objects.filter(import_source=self.source)
        ids = [e.external_id for e in entries]
        existing = set(mine.filter(external_id__in=ids).values_list("external_id", flat=True))
        wanted = {e.parent_id for e in entries if e.parent_id}
        parents = {
            ext: (pk, article_id)
            for ext, pk, article_id in mine.filter(external_id__in=wanted).values_list(
                "external_id", "pk", "article_id"
            )
        }
        # A reply whose parent is in this batch waits for the round after its parent's:
        # one INSERT per level of nesting in the batch, not one per comment.
        self.authors.prepare(entries)
        remaining = entries
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

    def _insert(self, comments: list[Comment]) -> None:
        Comment.objects.bulk_create(comments)
        label = LABELS[self.source]
        ModerationLog.objects.bulk_create(
            ModerationLog(
                comment=c,
                action=ModerationLog.Action.POSTED,
                to_status=c.status,
                reason=f"Imported from {label} (id {c.external_id})",
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
        body = plain_text(entry.body_html)
        if not body:
            self.summary.empty += 1
            return None
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
            status=entry.status,
            created_at=entry.created_at,
            import_source=self.source,
            external_id=entry.external_id[:100],
        )


def find_article(url: str) -> int | None:
    """The article an old thread was about: one of ours by its address on SITE_URL, or
    the article whose original URL is the thread's address (scheme, "www." and a final
    slash aside)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    site = urlsplit(settings.SITE_URL)
    if _host(parts.netloc) == _host(site.netloc):
        try:
            match = resolve(parts.path or "/")
        except Resolver404:
            match = None
        if match is not None and match.view_name == "articles:detail":
            found = Article.objects.filter(slug=match.kwargs["slug"]).values_list("pk", flat=True)
            if found:
                return found[0]
    host, path = parts.netloc.lower(), parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    candidates = {
        f"{scheme}://{h}{path}{slash}{query}"
        for scheme in ("http", "https")
        for h in {host, _host(host), f"www.{_host(host)}"}
        for slash in ("", "/")
    }
    found = Article.objects.filter(original_url__in=candidates).values_list("pk", flat=True)
    return found[0] if found else None


def _host(netloc: str) -> str:
    host = netloc.lower()
    return host[4:] if host.startswith("www.") else host
