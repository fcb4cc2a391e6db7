"""The real thing: gunicorn with production settings, over HTTP on 127.0.0.1.

One server on a fresh SQLite database (migrated, static files collected) checks the
headers, compressed hashed static files and the page cache; others are started with
Redis or the database unreachable.
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests import forkserver
from tests.made_once import collected_static, copy_migrated_sqlite
from tests.processes import stop

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        VAR_DIR=str(tmp),
        STATIC_ROOT=str(collected_static()),
        MEDIA_ROOT=str(tmp / "media"),
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        SECURE_SSL_REDIRECT="0",
        GUNICORN_ACCESSLOG="off",
        # Its own cache (not the test run's CACHE_DIR): it has its own database too.
        CACHE_DIR=str(tmp / "cache"),
        WEB_CONCURRENCY="1",
        GUNICORN_BIND="127.0.0.1:0",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def _migrate(env: dict) -> None:
    """What `manage.py migrate` makes of env's new SQLite database (tests/made_once.py)."""
    copy_migrated_sqlite(Path(env["DATABASE_URL"].removeprefix("sqlite:///")))


def _manage(env: dict, *args: str) -> None:
    forkserver.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


class Server:
    """gunicorn started from gunicorn.conf.py; `url` once it listens."""

    def __init__(self, env: dict):
        self.proc = forkserver.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        # The master binds (and logs where), then forks a worker from the preloaded app,
        # which logs that it boots: started once both lines are in (rather than a fixed
        # wait after the first).
        deadline = time.monotonic() + 30
        self.url = None
        booted = False
        while time.monotonic() < deadline and not (self.url and booted):
            line = self.proc.stderr.readline()
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line)
            if found:
                self.url = found.group(1)
            booted = booted or "Booting worker" in line
            if not line and self.proc.poll() is not None:
                break
        if not (self.url and booted):
            self.stop()
            raise RuntimeError("gunicorn did not start")
        # Keep draining its log so the pipe never fills and blocks the server.
        import threading

        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def get(self, path: str, headers: dict | None = None):
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def stop(self) -> None:
        stop(self.proc)


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prod")
    env = _env(tmp)
    _migrate(env)
    code = (
        "import django; django.setup()\n"
        "from tests.factories import ArticleFactory\n"
        "ArticleFactory(title='Served by gunicorn', slug='served-by-gunicorn')\n"
    )
    forkserver.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    server = Server(env)
    server.tmp = tmp
    yield server
    server.stop()


HTTPS = {"X-Forwarded-Proto": "https"}


def test_production_headers_over_http(production_server):
    status, headers, body = production_server.get("/articles/served-by-gunicorn/", HTTPS)
    assert status == 200
    assert b"Served by gunicorn" in body
    assert "object-src 'none'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Permissions-Policy"]
    assert headers["ETag"]


def test_plain_http_is_redirected_to_https(production_server, tmp_path):
    env = _env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    env.pop("SECURE_SSL_REDIRECT")
    server = Server(env)
    try:
        request = urllib.request.Request(server.url + "/robots.txt")
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as caught:
            opener.open(request, timeout=10)
        assert caught.value.code == 301
        assert caught.value.headers["Location"].startswith("https://")
    finally:
        server.stop()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_page_cache_and_conditional_get_in_production(production_server):
    path = "/articles/served-by-gunicorn/"
    production_server.get(path, HTTPS)
    status, headers, _ = production_server.get(path, HTTPS)
    assert headers["X-Page-Cache"] == "hit"
    status, _, body = production_server.get(path, {**HTTPS, "If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""


def test_static_files_hashed_and_compressed(production_server):
    status, _, body = production_server.get("/search/", HTTPS)
    assert status == 200
    css = re.search(rb'href="(/static/css/search\.[0-9a-f]{12}\.css)"', body)
    assert css, "search.css is linked under its hashed name"
    path = css.group(1).decode()
    status, headers, _ = production_server.get(path, {"Accept-Encoding": "br"})
    assert status == 200 and headers["Content-Encoding"] == "br"
    assert "immutable" in headers["Cache-Control"]
    status, headers, _ = production_server.get(path, {"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"


def test_redis_down_still_serves(production_server):
    env = _env(production_server.tmp, REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    server = Server(env)
    try:
        for _ in range(3):
            status, _, body = server.get("/articles/served-by-gunicorn/", HTTPS)
            assert status == 200 and b"Served by gunicorn" in body
    finally:
        server.stop()


def test_database_down_is_a_quick_503(production_server):
    from django.db import connection

    if connection.vendor == "postgresql":
        url = f"postgres://postgres@127.0.0.1:{_closed_port()}/newsroom"
    else:
        url = "sqlite:////nonexistent-dir/newsroom.sqlite3"
    server = Server(_env(production_server.tmp, DATABASE_URL=url))
    try:
        started = time.monotonic()
        status, headers, body = server.get("/", HTTPS)
        assert time.monotonic() - started < 5
        assert status == 503
        assert b"briefly unavailable" in body
        assert headers["Retry-After"]
    finally:
        server.stop()


def _worker_class(threads: str | None, monkeypatch) -> str:
    """The worker class gunicorn would run with gunicorn.conf.py and GUNICORN_THREADS."""
    from gunicorn.config import Config

    if threads is None:
        monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    else:
        monkeypatch.setenv("GUNICORN_THREADS", threads)
    conf: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), conf)
    cfg = Config()
    for name in ("worker_class", "threads"):
        cfg.set(name, conf[name])
    return cfg.worker_class


def test_sync_workers_unless_threads_are_asked_for(monkeypatch):
    # Only an idle sync worker accepts a connection, so load spreads over the workers;
    # gthread kept keep-alive connections wherever they landed (docs/deployment.md).
    from gunicorn.workers.gthread import ThreadWorker
    from gunicorn.workers.sync import SyncWorker

    assert _worker_class(None, monkeypatch) is SyncWorker
    assert _worker_class("2", monkeypatch) is ThreadWorker


def test_each_response_closes_its_connection(production_server):
    # The proxy in front keeps clients' connections alive; a sync worker never holds one.
    status, headers, _ = production_server.get("/robots.txt")
    assert status == 200
    assert headers["Connection"] == "close"


def test_a_long_api_request_line_reaches_the_app_and_gets_problem_json(production_server):
    # Issue 28: a request line over 4,094 bytes got gunicorn's own HTML 400.
    fields = ",".join(f"f{n}" for n in range(1200))  # about 6,000 bytes
    status, headers, body = production_server.get(f"/api/v1/articles?fields={fields}")
    assert status == 400
    assert headers["Content-Type"] == "application/problem+json"
    assert b"unknown_field" in body


def _open_files(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found.add(os.readlink(fd))
        except OSError:
            pass  # closed meanwhile
    return found


def test_workers_keep_their_own_database_connections(tmp_path):
    """Each worker keeps its SQLite connection between requests (CONN_MAX_AGE) and none
    is inherited from the master: a connection shared across the fork would be used by
    two processes at once."""
    env = _env(tmp_path, WEB_CONCURRENCY="2")
    _migrate(env)
    database = env["DATABASE_URL"].removeprefix("sqlite:///")
    server = Server(env)
    try:
        for _ in range(20):
            assert server.get("/about/")[0] == 200
            assert server.get("/", {"Cookie": "sessionid=x"})[0] == 200
        workers = [
            int(p)
            for p in Path(f"/proc/{server.proc.pid}/task").glob("*/children")
            for p in p.read_text().split()
        ]
        assert len(workers) == 2
        assert database not in _open_files(server.proc.pid)
        kept = [pid for pid in workers if database in _open_files(pid)]
        assert kept, "no worker kept its connection after serving"
    finally:
        server.stop()
