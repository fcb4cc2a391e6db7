"""The benchmarks' throw-away database: made and migrated for one run, dropped after it.

    with throwaway_database("bench_ingest"):
        ...

On PostgreSQL the database is BENCH_DATABASE_NAME, else the name given (never the test
suite's TEST_DATABASE_NAME, which a test run on the same server may be using). On SQLite
the file var/<name>.sqlite3, for benchmarks whose workers run in processes of their own;
with `sqlite_file=False`, Django's in-memory test database (the stories benchmarks: only
this process reads it). Run after django.setup().
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection


@contextmanager
def throwaway_database(name: str, *, sqlite_file: bool = True) -> Iterator[None]:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        if sqlite_file:
            db.setdefault("TEST", {})["NAME"] = str(Path(settings.VAR_DIR) / f"{name}.sqlite3")
    else:
        db.setdefault("TEST", {})["NAME"] = os.environ.get("BENCH_DATABASE_NAME", name)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
