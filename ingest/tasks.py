"""Feed work run by the task worker: one poll of one source."""

from __future__ import annotations

import logging

from django_tasks import task

from articles.models import Source
from serving import metrics

from .importer import IngestReport, ingest_source
from .models import FeedState
from .scheduling import record_poll

log = logging.getLogger(__name__)


@task()
def poll_feed(source_id: int) -> str:
    """Fetch and import the source's feed, then schedule its next poll. Never raises for
    a bad feed: the failure is recorded on the feed state and the feed backs off."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None or not source.feed_url:
        return "no feed"
    try:
        report = ingest_source(source=source)
    except Exception as exc:  # a bug or a database error: back off like a failed fetch
        log.exception("Polling %s failed unexpectedly", source.slug)
        report = IngestReport(source=source.slug, failed=True)
        state = FeedState.of(source)
        state.last_error = f"Unexpected error: {type(exc).__name__}: {exc}"[:1000]
        state.consecutive_failures += 1
        state.save()
    record_poll(source, report)
    metrics.count("feed_polls")
    if report.failed:
        metrics.count("feed_poll_failures")
    return report.line()


@task()
def fetch_full_texts(source_id: int, items: list[list]) -> str:
    """Full text (Source.fetch_full_text): fetch the pages of the entries one poll found
    new or changed, and make their article text the body (ingest/fulltext.py)."""
    from .fulltext import fetch_full_texts as run

    return run(source_id, items)
