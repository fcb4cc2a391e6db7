"""Enqueue many runs of one task at once.

Django's task API enqueues one task per call: on the database backend, one INSERT each.
A scheduler tick that finds a hundred feeds due would spend a good part of its time on
that. `enqueue_many` writes the same rows the backend's `enqueue` writes, in one
`executemany`, when the task's backend is django-tasks-db; any other backend (the
immediate one in tests) gets one `enqueue` per run. The `task_enqueued` signal is not
sent for bulk rows (the backport only logs it).

Only the id and the arguments differ between the rows, so every other column is
prepared for the database once (bulk_create prepares all fifteen for every row, which
was most of a 1,000-feed tick: docs/ingestion.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connections, router
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
    if not arg_lists:
        return 0
    template = DBTaskResult(
        args_kwargs={},
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after or get_date_max(),
        backend_name=backend.alias,
    )
    meta = DBTaskResult._meta
    connection = connections[router.db_for_write(DBTaskResult)]
    fields = meta.concrete_fields
    row = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields]
    ids = [backend._get_id() for _ in arg_lists]
    arguments = [json.dumps(normalize_json({"args": list(a), "kwargs": {}})) for a in arg_lists]
    quote = connection.ops.quote_name
    insert = "INSERT INTO {} ({}) ".format(
        quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    id_at, args_at = fields.index(meta.pk), fields.index(meta.get_field("args_kwargs"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two arrays and the constants: psycopg adapts 17 values, not 15 per row.
            columns = ["%s"] * len(fields)
            columns[id_at], columns[args_at] = "u.id", "u.args::jsonb"
            cursor.execute(
                insert + f"SELECT {', '.join(columns)} FROM unnest(%s::uuid[], %s::text[]) "
                "AS u(id, args)",
                [v for i, v in enumerate(row) if i not in (id_at, args_at)] + [ids, arguments],
            )
        else:
            rows = []
            for pk, args in zip(ids, arguments, strict=True):
                row[id_at], row[args_at] = meta.pk.get_db_prep_save(pk, connection), args
                rows.append(tuple(row))
            cursor.executemany(insert + f"VALUES ({', '.join(['%s'] * len(fields))})", rows)
    return len(ids)
