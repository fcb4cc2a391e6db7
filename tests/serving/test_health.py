"""/healthz and /readyz: what a load balancer asks, answered from the real parts."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client

from tests.processes import stop
from tests.serving.test_gunicorn import Server, _closed_port, _env
from tests.serving.test_resilience import _unreachable_copy


class RedisServer:
    """A redis-server of the test's own on a free port, to stop and start again."""

    def __init__(self, tmp: Path) -> None:
        self.port = _closed_port()
        self.tmp = tmp
        self.proc: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


@pytest.fixture
def own_redis(settings, tmp_path):
    server = RedisServer(tmp_path).start()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "serving.cache_backend.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    yield server
    server.stop()


def _ready(client) -> tuple[int, dict, float]:
    started = time.monotonic()
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response.status_code, response.json(), time.monotonic() - started


def test_healthz_answers_without_database_or_cache(client):
    # No database fixture: any query would raise here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_stays_up_while_the_database_is_down(client):
    real = connections["default"]
    connections["default"] = _unreachable_copy(real)
    try:
        assert Client(raise_request_exception=False).get("/healthz").status_code == 200
    finally:
        connections["default"].close()
        connections["default"] = real


@pytest.mark.django_db(transaction=True)
def test_readyz_follows_the_cache_down_and_back(client, own_redis):
    status, body, _ = _ready(client)
    assert (status, body) == (
        200,
        {"status": "ok", "checks": {"database": "ok", "cache": "ok", "tasks": "ok"}},
    )
    own_redis.stop()
    status, body, took = _ready(client)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"] != "ok" and body["checks"]["cache"]
    assert body["checks"]["database"] == body["checks"]["tasks"] == "ok"
    assert took < 2  # each check has about a second
    own_redis.start()
    status, body, _ = _ready(client)
    assert status == 200 and body["status"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_readyz_gives_up_on_a_cache_that_does_not_answer(client, settings):
    """A Redis that accepts the connection but never answers: the check fails after
    READINESS_TIMEOUT, the page does not hang."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        settings.READINESS_TIMEOUT = 0.3
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "serving.cache_backend.ResilientRedisCache",
                "LOCATION": f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
                "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
            },
        }
        status, body, took = _ready(client)
    assert status == 503
    assert body["checks"]["cache"] == "no answer within 0.3 s"
    assert took < 1.5


def test_readyz_is_503_and_healthz_200_under_gunicorn_without_database(tmp_path):
    from django.db import connection

    if connection.vendor == "postgresql":
        url = f"postgres://postgres@127.0.0.1:{_closed_port()}/newsroom"
    else:
        url = "sqlite:////nonexistent-dir/newsroom.sqlite3"
    server = Server(_env(tmp_path, DATABASE_URL=url))
    try:
        status, headers, body = server.get("/healthz")
        assert (status, body) == (200, b"ok\n")
        started = time.monotonic()
        status, headers, body = server.get("/readyz")
        assert time.monotonic() - started < 3
        assert status == 503
        assert headers["Cache-Control"] == "no-store"
        found = json.loads(body)
        assert found["status"] == "unavailable"
        assert found["checks"]["database"] != "ok"
        assert found["checks"]["tasks"] != "ok"  # the queue lives in the database
        assert found["checks"]["cache"] == "ok"  # this server's local memory
    finally:
        server.stop()


def test_probes_are_not_redirected_to_https(client, settings):
    """Load balancers probe over plain HTTP, even when the site redirects to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/robots.txt").status_code == 301
    assert client.get("/healthz").status_code == 200
