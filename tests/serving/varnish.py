"""A real Varnish (deploy/varnish/default.vcl) in front of a real gunicorn, for tests.

`VarnishStack` migrates a fresh SQLite database, starts gunicorn from the project's
gunicorn.conf.py with production settings and Redis (the app's shared cache: several
processes must agree on tag versions), then varnishd on free 127.0.0.1 ports with a
temporary working directory, the shipped VCL pointed at that gunicorn. Writes are made
by `run()`, a separate Python process with the same settings and `PURGE_URLS` aimed at
this Varnish, as an editor's or moderator's request on another app server would be; a
real task worker (`db_worker`, polling every 0.1 s as docs/serving.md advises) sends the
purges they enqueue.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests import forkserver
from tests.processes import free_port, stop, wait_for_port
from tests.serving.test_gunicorn import ROOT, Server, _env, _migrate

VCL = ROOT / "deploy" / "varnish" / "default.vcl"


def varnishd_path() -> str:
    """varnishd, or a failure that says how to get it (`make test` and `.ci/run`
    install it with apt-get)."""
    path = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/sbin")
    if not path:
        pytest.fail("varnishd is missing: apt-get install varnish varnish-modules")
    return path


def redis_url() -> str:
    """The tests' Redis: REDIS_URL when set (CI's PostgreSQL run), else the local one."""
    url = os.environ.get("REDIS_URL") or os.environ.get(
        "VARNISH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"
    )
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.fail(f"the Varnish tests need Redis at {url} ({exc})")
    return url


class Varnish:
    """varnishd in the foreground (-F) with the shipped VCL, only the backend port changed,
    killed by stop(); `nice` lowers its priority (the benchmark's, bench/mixed.py).

    Two listeners, as in production: `url` is plain HTTP (the `http` listener), `tls_url`
    the `tls` listener a TLS terminator on the same host would connect to (requests
    through it count as https). varnishd gets a PURGE_SECRET of its own; `purge_env()` is
    what an app server needs to purge it."""

    def __init__(self, tmp: Path, backend_port: int, nice: int = 0):
        vcl = VCL.read_text().replace('.port = "8000"', f'.port = "{backend_port}"')
        assert f'"{backend_port}"' in vcl, "the VCL's backend port line changed"
        (tmp / "default.vcl").write_text(vcl)
        self.port, self.tls_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tls_url = f"http://127.0.0.1:{self.tls_port}"
        self.purge_secret = secrets.token_urlsafe(24)
        # The working directory holds the shared-memory log, a file mapping that varnishd
        # writes for every request (80 MB, wrapped about once a second at 45,000 req/s).
        # On a disk filesystem the kernel writes those pages back all the time; on tmpfs
        # nothing reaches a disk, as docs/serving.md asks of production.
        shm = Path("/dev/shm")
        self.workdir = Path(tempfile.mkdtemp(prefix="varnish-", dir=shm if shm.is_dir() else tmp))
        # -j none: no privilege separation, so a test run as root (CI) can read the
        # temporary directory; inline C stays off as in production.
        self.proc = subprocess.Popen(
            [
                varnishd_path(),
                "-F",
                "-j",
                "none",
                "-n",
                str(self.workdir),
                "-a",
                f"http=127.0.0.1:{self.port}",
                "-a",
                f"tls=127.0.0.1:{self.tls_port}",
                "-f",
                str(tmp / "default.vcl"),
                "-s",
                "malloc,64m",
                "-p",
                "vcc_allow_inline_c=off",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PURGE_SECRET": self.purge_secret},
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )
        try:
            wait_for_port(self.port, self.proc, name="varnishd")
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}: {self.proc.stdout.read()}") from None
        import threading

        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def purge_env(self) -> dict[str, str]:
        return {"PURGE_URLS": self.url, "PURGE_SECRET": self.purge_secret}

    def stop(self) -> None:
        stop(self.proc)
        shutil.rmtree(self.workdir, ignore_errors=True)


def request(url: str, *, method: str = "GET", headers: dict | None = None, data=None):
    """(status, headers, body) without raising on HTTP errors or following redirects."""
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class VarnishStack:
    """gunicorn + Varnish; `get()` goes through Varnish as a reader on https would (its
    `tls` listener), `plain_get()` through its plain HTTP listener, `app_get()` straight
    to gunicorn."""

    def __init__(self, tmp: Path):
        self.env = _env(
            tmp,
            REDIS_URL=redis_url(),
            CACHE_KEY_PREFIX=f"varnish-test-{uuid.uuid4().hex[:8]}",
            WEB_CONCURRENCY="2",
            GUNICORN_THREADS="1",
            # Approving a reply mails its parent's author: no SMTP server here.
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        _migrate(self.env)
        # STATIC_ROOT is the run's one collectstatic (tests/made_once.py), set by _env.
        self.app = Server(self.env)
        port = int(re.search(r":(\d+)$", self.app.url).group(1))
        try:
            self.varnish = Varnish(tmp, port)
        except Exception:
            self.app.stop()
            raise
        self.url = self.varnish.tls_url
        self.env.update(self.varnish.purge_env())
        self.worker = forkserver.Popen(
            [sys.executable, "manage.py", *WORKER_ARGS],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def get(self, path: str, headers: dict | None = None):
        return request(self.url + path, headers=headers)

    def plain_get(self, path: str, headers: dict | None = None):
        return request(self.varnish.url + path, headers=headers)

    def app_get(self, path: str, headers: dict | None = None):
        return request(self.app.url + path, headers={**HTTPS, **(headers or {})})

    def run(self, code: str) -> str:
        """Run Python with the app's settings in a new process (a write made on another
        app server); its stdout. Its purges are tasks the stack's worker sends."""
        script = "import django; django.setup()\n" + code
        done = forkserver.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode:
            raise RuntimeError(done.stderr)
        return done.stdout

    def stop(self) -> None:
        stop(self.worker)
        self.varnish.stop()
        self.app.stop()


HTTPS = {"X-Forwarded-Proto": "https"}
# --skip-checks: as tests/jobs/worker.py's workers.
WORKER_ARGS = ["db_worker", "--no-reload", "--no-startup-delay", "--skip-checks"]
WORKER_ARGS += ["--interval", "0.1"]
