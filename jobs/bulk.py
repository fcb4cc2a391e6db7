"""Enqueue many runs of one task at once.

Django's task API enqueues one task per call: on the database backend, one INSERT each.
A scheduler tick that finds a thousand feeds due (a fresh install) would spend a second
on that. `enqueue_many` writes the same rows the backend's `enqueue` writes, in one bulk
INSERT, when the task's backend is django-tasks-db; any other backend (the immediate one
in tests) gets one `enqueue` per run. The `task_enqueued` signal is not sent for bulk
rows (the backport only logs it).
"""

from __future__ import annotations

from collections.abc import Iterable

from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max


def enqueue_many(task: Task, arg_lists: Iterable[tuple]) -> int:
    """Enqueue `task(*args)` for each args tuple; return how many."""
    arg_lists = list(arg_lists)
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        for args in arg_lists:
            task.enqueue(*args)
        return len(arg_lists)
    backend.validate_task(task)
    DBTaskResult.objects.bulk_create(
        [
            DBTaskResult(
                id=backend._get_id(),
                args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after or get_date_max(),
                backend_name=backend.alias,
            )
            for args in arg_lists
        ],
        batch_size=500,
    )
    return len(arg_lists)
