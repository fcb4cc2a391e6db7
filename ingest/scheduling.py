"""Feeds poll themselves: each source's next poll time, and the tick that enqueues due polls.

The interval follows Miniflux's "entry frequency" scheduler: a week divided by the number
of entries the source published in the last week, so a wire that files every few minutes
is polled every FEED_MIN_INTERVAL and a weekly column about once a day
(FEED_MAX_INTERVAL). The server may ask for more time (`Cache-Control: max-age` on a
success, `Retry-After` on a 429 or 503): it gets it, up to FEED_MAX_INTERVAL. A failing
feed backs off, doubling from FEED_MIN_INTERVAL with each failure in a row.

`enqueue_due_polls` runs on every scheduler tick (settings.SCHEDULER_JOBS). It locks the
due rows with SKIP LOCKED on PostgreSQL (any number of schedulers can tick at once; each
due feed goes to exactly one of them), moves their next poll a lease ahead so the next
tick skips them, and enqueues one `ingest.tasks.poll_feed` task per feed (one bulk INSERT:
jobs/bulk.py), at most FEED_POLLS_PER_TICK of them; the next tick takes the rest. The task
then sets the real next poll time from what the fetch saw.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from articles.models import Article, Source
from jobs.bulk import enqueue_many
from jobs.retry import backoff

from .importer import IngestReport
from .models import FeedState

WEEK = 7 * 24 * 3600
# A claimed feed whose poll never reports back (a worker killed mid-poll) is due again
# after this many seconds.
LEASE_SECONDS = 3600


def publishing_interval(entries_last_week: int) -> int:
    """Seconds between polls for a feed that published this many entries last week."""
    if entries_last_week <= 0:
        return settings.FEED_MAX_INTERVAL
    return _clamp(WEEK // entries_last_week)


def next_interval(*, report: IngestReport, failures: int, entries_last_week: int) -> int:
    """Seconds until the next poll after this one."""
    if report.failed:
        interval = backoff(settings.FEED_MIN_INTERVAL, failures, settings.FEED_MAX_INTERVAL)
        asked = report.retry_after
    else:
        interval = publishing_interval(entries_last_week)
        asked = report.max_age
    if asked:
        interval = max(interval, asked)
    return _clamp(interval)


def _clamp(seconds: int) -> int:
    return max(settings.FEED_MIN_INTERVAL, min(settings.FEED_MAX_INTERVAL, int(seconds)))


def record_poll(source: Source, report: IngestReport, *, now: datetime | None = None) -> int:
    """After a poll: the interval and next poll time, and a one-line result for the admin."""
    now = now or timezone.now()
    state = FeedState.objects.get(pk=source.pk)
    weekly = Article.objects.filter(source=source, published_at__gt=now - timedelta(weeks=1))
    interval = next_interval(
        report=report,
        failures=state.consecutive_failures,
        entries_last_week=0 if report.failed else weekly.count(),
    )
    result = summary(report)
    FeedState.objects.filter(pk=source.pk).update(
        poll_interval=interval,
        next_poll_at=now + timedelta(seconds=interval),
        last_result=result[:200],
    )
    return interval


def summary(report: IngestReport) -> str:
    """A short line for the admin: "Failed", "Not modified", "2 new, 1 updated"..."""
    if report.failed:
        return "Failed"
    if report.not_modified:
        return "Not modified"
    counts = [
        (report.new, "new"),
        (report.updated, "updated"),
        (report.skipped, "skipped"),
        (len(report.errors), "errors"),
    ]
    return ", ".join(f"{n} {label}" for n, label in counts if n) or "No changes"


def due_feeds(now: datetime):
    """Feed states due for a poll, oldest due first (sources never polled first)."""
    return (
        FeedState.objects.filter(Q(next_poll_at__lte=now) | Q(next_poll_at__isnull=True))
        .filter(source__is_active=True)
        .exclude(source__feed_url="")
        .order_by(F("next_poll_at").asc(nulls_first=True))
    )


def enqueue_due_polls(*, since: datetime | None, now: datetime) -> int:
    """Scheduler hook: claim the due feeds and enqueue one poll each; return how many.

    Runs inside the tick's transaction (jobs/scheduler.py), so the claims and the task
    rows commit together or not at all.
    """
    from .tasks import poll_feed

    batch = settings.FEED_POLLS_PER_TICK
    new = Source.objects.filter(is_active=True, feed_state__isnull=True).exclude(feed_url="")
    with transaction.atomic():  # a savepoint inside the tick; its own transaction alone
        # New sources get their state a batch at a time too: a thousand at once (a fresh
        # install) cost a 1,000-feed tick more than its polls did.
        FeedState.objects.bulk_create(
            [
                FeedState(source_id=pk, next_poll_at=now)
                for pk in new.values_list("pk", flat=True)[:batch]
            ],
            ignore_conflicts=True,
        )
        due = list(
            due_feeds(now)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:batch]
        )
        if due:
            FeedState.objects.filter(pk__in=due).update(
                next_poll_at=now + timedelta(seconds=LEASE_SECONDS)
            )
            enqueue_many(poll_feed, [(source_id,) for source_id in due])
    return len(due)
