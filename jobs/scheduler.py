"""The scheduler tick: what runs by itself, without cron.

`SCHEDULER_JOBS` maps a dotted path to an interval in seconds (0: every tick). The path
names either a task (enqueued when due) or a function called as `fn(since=, now=)`, where
`since` is the previous run's time (None the first time); such functions only look for
due work and enqueue it (feed polls, pages of articles that just went live), so a tick
stays cheap. `python manage.py run_scheduler` calls `tick()` in a loop; any number of
schedulers may run: on PostgreSQL each due job's row is locked with SKIP LOCKED, so only
one of them runs it, and on SQLite the whole tick is one write transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from .models import ScheduledJob

log = logging.getLogger(__name__)


def _ensure_rows(now: datetime) -> None:
    """One row per configured job, due at once the first time."""
    known = set(ScheduledJob.objects.values_list("name", flat=True))
    missing = [
        ScheduledJob(name=name, next_run_at=now)
        for name in settings.SCHEDULER_JOBS
        if name not in known
    ]
    if missing:
        ScheduledJob.objects.bulk_create(missing, ignore_conflicts=True)


def _run(job: ScheduledJob, now: datetime) -> None:
    target = import_string(job.name)
    if isinstance(target, Task):
        target.enqueue()
    else:
        target(since=job.last_run_at, now=now)


def tick(now: datetime | None = None) -> list[str]:
    """Run every due job once; return the names of those run."""
    now = now or timezone.now()
    jobs = settings.SCHEDULER_JOBS
    _ensure_rows(now)
    ran = []
    with transaction.atomic():
        due = list(
            ScheduledJob.objects.select_for_update(skip_locked=True).filter(
                name__in=list(jobs), next_run_at__lte=now
            )
        )
        for job in due:
            try:
                with transaction.atomic():  # a failing job undoes only its own writes
                    _run(job, now)
                job.last_error = ""
            except Exception as exc:  # one broken job never stops the others
                log.exception("Scheduled job %s failed", job.name)
                job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            job.last_run_at = now
            job.next_run_at = now + timedelta(seconds=jobs[job.name])
            ran.append(job.name)
        ScheduledJob.objects.bulk_update(due, ["last_run_at", "next_run_at", "last_error"])
    return ran
