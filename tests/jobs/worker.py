"""Run the real `db_worker` (and other manage.py commands) against the test database.

The subprocess gets the test process's environment plus a DATABASE_URL naming the test
database (a file on SQLite: see `django_db_modify_db_settings` in tests/conftest.py), so
it reads the rows the test wrote and the test reads what it wrote back. Tests using it
need `transactional_db`: rows inside an open test transaction are invisible to it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from tests import forkserver
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def subprocess_env(**extra: str) -> dict[str, str]:
    from django.conf import settings

    env = {
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": database_url(),
        "TASKS_RETRY_DELAY": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `python manage.py ARGS` in the repository; the caller waits for it."""
    return forkserver.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env or subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def worker_args(worker_id: str = "w1") -> list[str]:
    """A batch worker's arguments. `--skip-checks`: the system checks (URL configuration
    and all: a third of a worker's start, 0.25 CPU-seconds) are `manage.py check`'s
    tests' and `make check`'s business, not each of the suite's 29 task workers'."""
    return [
        "db_worker",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        "--skip-checks",
        "--interval",
        "0",
        "--worker-id",
        worker_id,
    ]


def start_workers(count: int, env: dict[str, str], *, prefix: str = "w") -> list[subprocess.Popen]:
    """Start `count` quiet batch workers (`PREFIX-0`, `PREFIX-1`...), each exiting once the
    queue has nothing ready; the caller waits for them (the benchmarks start theirs here)."""
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", *worker_args(f"{prefix}-{i}"), "--verbosity", "0"],
            cwd=ROOT,
            env=env,
        )
        for i in range(count)
    ]


def run_worker(*, worker_id: str = "w1", timeout: float = 60, **env: str) -> str:
    """Run a worker until the queue has nothing ready; return its output."""
    proc = manage(*worker_args(worker_id), env=subprocess_env(**env))
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, out
    return out


def start_app_server(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = forkserver.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**env, "WEB_CONCURRENCY": "1", "GUNICORN_ACCESSLOG": "off"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/robots.txt", timeout=2)
            return proc, base
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.2)
