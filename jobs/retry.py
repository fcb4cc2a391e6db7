"""Retry with backoff for tasks on the database backend.

The backport's worker marks a task FAILED once its function raises. When the task has
attempts left, this puts the same row back to READY with a later `run_after`, so the
row keeps its id, its worker list (one entry per attempt) and the last error's class and
traceback, which the admin shows while it waits. Attempts and delays are settings:

- `TASKS_MAX_ATTEMPTS` (default 5) for every task, `TASKS_MAX_ATTEMPTS_BY_TASK` maps a
  task's dotted path to its own limit (1: never retried);
- `TASKS_RETRY_DELAY` seconds before the second attempt, doubled for each later one,
  at most `TASKS_RETRY_MAX_DELAY`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus


def max_attempts(task_path: str) -> int:
    """How many times the task at this dotted path may run in all."""
    return settings.TASKS_MAX_ATTEMPTS_BY_TASK.get(task_path, settings.TASKS_MAX_ATTEMPTS)


def backoff(base: float, failures: int, cap: float) -> float:
    """The site's one exponential backoff: base after the first failure, then twice as long
    after each further one, never above cap (tasks' retries, feeds' polls)."""
    return min(cap, base * 2 ** min(max(0, failures - 1), 32))


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next attempt, after `attempts` failed ones (1, 2, ...)."""
    return timedelta(
        seconds=backoff(settings.TASKS_RETRY_DELAY, attempts, settings.TASKS_RETRY_MAX_DELAY)
    )


def retry_failed_task(sender, task_result, **kwargs) -> None:
    """task_finished receiver: a failed database task with attempts left runs again later."""
    db_result = getattr(task_result, "db_result", None)
    if db_result is None or task_result.status != TaskResultStatus.FAILED:
        return  # another backend (immediate in tests), or a success
    attempts = len(db_result.worker_ids)
    if attempts >= max_attempts(db_result.task_path):
        return
    type(db_result).objects.filter(pk=db_result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        run_after=timezone.now() + retry_delay(attempts),
        finished_at=None,
    )
