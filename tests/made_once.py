"""Things the tests' servers need that depend only on the source, made once and shared by
every xdist worker and every later run with the same source: the collected static files
(`collected_static`), a migrated SQLite database (`copy_migrated_sqlite`) and a migrated
PostgreSQL database to copy (`copy_migrated_postgres`).

The files are kept under var/ under a digest of what they are made from, and made by
whichever worker asks first (the others wait on a file lock); the PostgreSQL template is
a database on the server, named by that digest, made under an advisory lock."""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests import forkserver

ROOT = Path(__file__).resolve().parents[1]


def _made_once(target: Path, make: Callable[[Path], None]) -> Path:
    """`target`, made by `make(target)` unless a complete one is there already."""
    target.parent.mkdir(parents=True, exist_ok=True)
    done = target.with_name(target.name + ".complete")
    with open(target.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            make(target)
            done.touch()
    return target


def _manage_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(DEBUG="0", SECRET_KEY="tests-made-once-only", **extra)
    return env


def _static_fingerprint() -> str:
    """A digest of every file Django's finders find (names and contents): the project's
    and the installed apps' static files."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda found: found[0]):
            digest.update(path.encode() + b"\0")
            with storage.open(path) as file:
                digest.update(hashlib.sha256(file.read()).digest())
    return digest.hexdigest()[:16]


def collected_static() -> Path:
    """A STATIC_ROOT holding what `collectstatic` makes, for DEBUG=0 servers (made once
    per set of static files: a fresh clone, or a change to them)."""

    def collect(target: Path) -> None:
        forkserver.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "-v0"],
            cwd=ROOT,
            # Brotli at a lower quality than production's (tests/collect_settings.py).
            env=_manage_env(
                STATIC_ROOT=str(target), DJANGO_SETTINGS_MODULE="tests.collect_settings"
            ),
            check=True,
        )

    return _made_once(ROOT / "var" / "test-static" / _static_fingerprint(), collect)


def _migrations_fingerprint() -> str:
    """A digest of every installed app's migration files and Django's version."""
    import django
    from django.apps import apps

    digest = hashlib.sha256(django.get_version().encode())
    for app in sorted(apps.get_app_configs(), key=lambda a: a.label):
        for path in sorted((Path(app.path) / "migrations").glob("*.py")):
            digest.update(f"{app.label}/{path.name}\0".encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def copy_migrated_sqlite(target: Path) -> None:
    """Make `target` a SQLite database as `manage.py migrate` leaves a new one (schema,
    data migrations, permissions): a copy of one migrated once for these migrations,
    instead of a Django start and every migration per server a test starts."""

    def migrate(template: Path) -> None:
        _run_migrate({"DATABASE_URL": f"sqlite:///{template}", "VAR_DIR": str(template.parent)})

    name = f"{_migrations_fingerprint()}.sqlite3"
    template = _made_once(ROOT / "var" / "test-db" / name, migrate)
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)


def _run_migrate(env: dict[str, str]) -> None:
    forkserver.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env={**_manage_env(**env), "REDIS_URL": ""},
        check=True,
    )


def _postgres_server():
    """An autocommit connection to the test database's server (its `postgres` database)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname="postgres",
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        autocommit=True,
    )


def copy_migrated_postgres(target: str, template_prefix: str) -> None:
    """Make the PostgreSQL database `target` (dropped first if there) as `manage.py
    migrate` leaves a new one: `CREATE DATABASE ... TEMPLATE` from a database migrated
    once for these migrations (`<template_prefix>_<digest>`, kept on the server for later
    runs; an older digest's is dropped), instead of every migration per xdist worker (a
    migrate took 5.6 CPU-seconds in Python alone, and PostgreSQL's own work)."""
    template = f"{template_prefix}_{_migrations_fingerprint()}"
    partial = f"{template}_partial"
    url = urlsplit(os.environ["DATABASE_URL"])
    with _postgres_server() as conn:
        # One maker at a time for this prefix: the other workers wait here, then copy.
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [template_prefix])
        names = {
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [template_prefix.replace("_", r"\_") + r"\_%"],
            )
        }
        if template not in names:
            for stale in names:  # other migrations' templates, an interrupted make
                conn.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{partial}"')
            _run_migrate({"DATABASE_URL": urlunsplit(url._replace(path=f"/{partial}"))})
            # Renamed once complete: a template by this name is a whole migration.
            conn.execute(f'ALTER DATABASE "{partial}" RENAME TO "{template}"')
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')


def drop_postgres(name: str) -> None:
    """Drop the PostgreSQL database `name`, closing what still uses it."""
    with _postgres_server() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
