"""Things the tests' servers need that depend only on the source, made once and shared by
every xdist worker and every later run with the same source: the collected static files
(`collected_static`) and a migrated SQLite database (`copy_migrated_sqlite`).

Each is kept under var/ under a digest of what it is made from, and made by whichever
worker asks first (the others wait on a file lock)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

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
        subprocess.run(
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
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env={
                **_manage_env(DATABASE_URL=f"sqlite:///{template}"),
                "VAR_DIR": str(template.parent),
                "REDIS_URL": "",
            },
            check=True,
        )

    name = f"{_migrations_fingerprint()}.sqlite3"
    template = _made_once(ROOT / "var" / "test-db" / name, migrate)
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
