"""The production stack on 127.0.0.1, started once for the end-to-end suite.

`Stack` starts, each on a free port: a fresh PostgreSQL database on the local server
(dropped at the end), a redis-server of its own (the suite stops and restarts it),
moto's S3 server (MEDIA_STORAGE=s3), an SMTP server that keeps what it receives
(tests/smtp.py), gunicorn from gunicorn.conf.py, Varnish with deploy/varnish/default.vcl
(only the backend port changed, tests/serving/varnish.py), the task worker
(`manage.py db_worker`) and the scheduler (`manage.py run_scheduler`), all with DEBUG off
and plain HTTP on loopback, as `make run` serves. SITE_URL is Varnish's address: readers
only ever talk to Varnish. Each process logs to a file under the stack's directory; a
failed start prints the end of its log.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.made_once import collected_static
from tests.processes import free_port, stop, wait_for_port
from tests.s3 import BUCKET, PUBLIC_READ, MotoServer
from tests.serving.varnish import Varnish
from tests.smtp import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("E2E_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
WORKER_ARGS = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]


def _need(program: str) -> str:
    path = shutil.which(program) or shutil.which(program, path="/usr/sbin:/sbin")
    if not path:
        pytest.fail(f"`make e2e` needs {program} (.ci/run installs it with apt-get)")
    return path


class Stack:
    """`start()` brings every part up; `stop()` takes down whatever did start."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.procs: dict[str, subprocess.Popen] = {}
        self.database = f"newsroom_e2e_{uuid.uuid4().hex[:10]}"
        self.created = False
        self.s3 = self.smtp = self.varnish = None

    def start(self) -> None:
        self.psql("CREATE DATABASE " + self.database)
        self.created = True
        self.redis_port = free_port()
        self.start_redis()
        self.s3 = MotoServer()
        self.s3.client().create_bucket(Bucket=BUCKET)
        self.s3.client().put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
        self.smtp = SmtpSink()
        self.app_port = free_port()
        self.varnish = Varnish(self.tmp, self.app_port)
        self.url = self.varnish.url
        self.app_url = f"http://127.0.0.1:{self.app_port}"
        self.static = collected_static()
        self.env = self._env()
        self.manage("migrate", "--noinput")
        self.spawn("gunicorn", [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"])
        wait_for_port(self.app_port, self.procs["gunicorn"], name="gunicorn", timeout=60)
        # Two task workers, as a site runs several: a purge never waits behind a long
        # task (an uploaded picture's renditions).
        for name in ("worker", "worker2"):
            self.spawn(name, [sys.executable, "manage.py", *WORKER_ARGS])
        self.spawn("scheduler", [sys.executable, "manage.py", "run_scheduler"])

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
        for name in ("REDIS_URL", "DATABASE_URL", "CACHE_KEY_PREFIX", "EMAIL_BACKEND"):
            env.pop(name, None)
        env.update(
            DJANGO_SETTINGS_MODULE="newsroom.settings",
            DEBUG="0",
            HTTPS="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            SITE_URL=self.url,
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=f"{POSTGRES}/{self.database}",
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            CACHE_KEY_PREFIX="e2e",
            VAR_DIR=str(self.tmp),
            STATIC_ROOT=str(self.static),
            GUNICORN_BIND=f"127.0.0.1:{self.app_port}",
            WEB_CONCURRENCY="3",
            GUNICORN_THREADS="1",
            SCHEDULER_TICK_SECONDS="1",
            TASKS_RETRY_DELAY="1",
            PYTHONUNBUFFERED="1",
            **self.s3.env(),
            **self.smtp.env(),
            **self.varnish.purge_env(),
        )
        return env

    # -- processes ----------------------------------------------------------------------

    def spawn(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - the process owns it
        self.procs[name] = subprocess.Popen(
            args, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return self.procs[name]

    def start_redis(self) -> None:
        self.spawn(
            "redis",
            [
                _need("redis-server"),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            env=dict(os.environ),
        )
        wait_for_port(self.redis_port, self.procs["redis"], name="redis-server")

    def stop_redis(self) -> None:
        stop(self.procs.pop("redis"))

    def log(self, name: str, lines: int = 40) -> str:
        text = (self.logs / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def manage(self, *args: str) -> str:
        return self._python(["manage.py", *args], timeout=300)

    def run(self, code: str) -> str:
        """Python with the stack's settings in a new process (an operator's shell); its
        stdout. Only the seed and read-backs go this way: readers, editors and moderators
        act through Varnish."""
        return self._python(["-c", "import django; django.setup()\n" + code], timeout=120)

    def _python(self, args: list[str], timeout: float) -> str:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"python {args[0]} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def psql(self, sql: str, database: str = "postgres") -> None:
        subprocess.run(
            [_need("psql"), f"{POSTGRES}/{database}", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def stop(self) -> None:
        for name in reversed(list(self.procs)):  # the app's processes before their services
            stop(self.procs[name])
        for part in (self.varnish, self.smtp, self.s3):
            if part is not None:
                part.stop()
        if self.created:
            self.psql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
