"""Tasks whose worker died: rows left RUNNING are put back in the queue, or failed.

The backport's worker marks a row RUNNING when it claims it and finishes it when the
task returns or raises. A worker killed in between (a deploy, an OOM kill, a lost
machine) leaves the row RUNNING for ever. `requeue_lost_tasks`, a periodic scheduler job
(settings.SCHEDULER_JOBS, every minute), finds rows RUNNING for longer than
`TASKS_RUNNING_TIMEOUT` (per task: `TASKS_RUNNING_TIMEOUT_BY_TASK`) and, like
jobs/retry.py, puts the same row back to READY when it has attempts left, else marks it
FAILED. Either way "worker ... lost" becomes its last error, which the admin shows.

The timeout must be well above the longest run of the task: a worker still busy with it
would otherwise finish a task that another worker runs again. Each update is conditional
(still RUNNING, same start time), so two schedulers never requeue one row twice, and a
row a worker finished or claimed again meanwhile is left alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from serving import metrics

from .retry import max_attempts, retry_delay


class WorkerLost(Exception):
    """A task's worker stopped without finishing it (the error recorded on its row)."""


LOST = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"


def running_timeout(task_path: str) -> float:
    """Seconds a task at this dotted path may stay RUNNING before its worker counts as lost."""
    return settings.TASKS_RUNNING_TIMEOUT_BY_TASK.get(task_path, settings.TASKS_RUNNING_TIMEOUT)


def requeue_lost_tasks(*, since: datetime | None = None, now: datetime | None = None) -> int:
    """Scheduler job: requeue (or fail) the tasks of lost workers; return how many."""
    now = now or timezone.now()
    shortest = min(
        [settings.TASKS_RUNNING_TIMEOUT, *settings.TASKS_RUNNING_TIMEOUT_BY_TASK.values()]
    )
    stuck = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - timedelta(seconds=shortest)
    ).only("pk", "task_path", "started_at", "worker_ids")
    done = 0
    for row in stuck:
        timeout = running_timeout(row.task_path)
        if row.started_at > now - timedelta(seconds=timeout):
            continue
        attempts = len(row.worker_ids)
        worker = row.worker_ids[-1] if row.worker_ids else "?"
        error = (
            f"{LOST}: worker {worker} was lost: "
            f"the task was still running {timeout:.0f} s after it started "
            f"({row.started_at:%Y-%m-%d %H:%M:%S %Z})"
        )
        if attempts < max_attempts(row.task_path):
            change = {"status": TaskResultStatus.READY, "run_after": now + retry_delay(attempts)}
        else:
            change = {"status": TaskResultStatus.FAILED, "finished_at": now}
        changed = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        ).update(
            **change,
            exception_class_path=LOST,
            traceback=error + "\n",
        )
        if changed:  # another scheduler may have got there first: count each loss once
            metrics.count_lost_task(row.task_path)
        done += changed
    return done
