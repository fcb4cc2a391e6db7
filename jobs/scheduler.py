"""The scheduler tick: what runs by itself, without cron.

`SCHEDULER_JOBS` maps a dotted path to an interval in seconds (0: every tick). The path
names either a task (enqueued when due) or a function called as `fn(since=, now=)`, where
`since` is the previous run's time (None the first time); such functions only look for
due work and enqueue it (feed polls, pages of articles that just went live), so a tick
stays cheap. `python manage.py run_scheduler` calls `tick()` in a loop; any number of
schedulers may run. A periodic job has a row (ScheduledJob): on PostgreSQL a due row is
locked with SKIP LOCKED, so one scheduler runs it and moves it on. Every-tick jobs run in
each scheduler and claim their own work (feed polls lock their feeds the same way).
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


# Every-tick jobs (interval 0) remember their previous run in the process: they only look
# for due work whose claims are exact by themselves (row locks on the feeds), so several
# schedulers may each run them, and an idle tick writes nothing (no commit to wait for).
_previous_tick: dict[str, datetime] = {}


def _ensure_rows(names: list[str], now: datetime) -> None:
    """One row per periodic job, due at once the first time."""
    known = set(ScheduledJob.objects.filter(name__in=names).values_list("name", flat=True))
    missing = [ScheduledJob(name=name, next_run_at=now) for name in names if name not in known]
    if missing:
        ScheduledJob.objects.bulk_create(missing, ignore_conflicts=True)


def _run(name: str, since: datetime | None, now: datetime) -> None:
    target = import_string(name)
    with transaction.atomic():  # a failing job undoes only its own writes
        if isinstance(target, Task):
            target.enqueue()
        else:
            target(since=since, now=now)


def tick(now: datetime | None = None) -> list[str]:
    """Run every due job once; return the names of those run."""
    now = now or timezone.now()
    jobs = settings.SCHEDULER_JOBS
    periodic = [name for name, interval in jobs.items() if interval]
    _ensure_rows(periodic, now)
    ran = []
    with transaction.atomic():
        for name in (name for name, interval in jobs.items() if not interval):
            try:
                _run(name, _previous_tick.get(name), now)
            except Exception:  # one broken job never stops the others
                log.exception("Scheduled job %s failed", name)
            _previous_tick[name] = now
            ran.append(name)
        due = list(
            ScheduledJob.objects.select_for_update(skip_locked=True).filter(
                name__in=periodic, next_run_at__lte=now
            )
        )
        for job in due:
            try:
                _run(job.name, job.last_run_at, now)
                job.last_error = ""
            except Exception as exc:
                log.exception("Scheduled job %s failed", job.name)
                job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            job.last_run_at = now
            job.next_run_at = now + timedelta(seconds=jobs[job.name])
            ran.append(job.name)
        if due:
            ScheduledJob.objects.bulk_update(due, ["last_run_at", "next_run_at", "last_error"])
    return ran
