"""Redis down: pages still come from the database. Database down: a quick, clear 503."""

import socket
import time

import pytest
from django.db import connections
from django.test import Client

from tests.factories import ArticleFactory


def _closed_port() -> int:
    # Bind then close: nothing listens there afterwards, so connections are refused.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "serving.cache_backend.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
        "fragments": settings.CACHES["fragments"],
    }
    settings.PAGE_CACHE_TIMEOUT = 600
    from serving.cache_backend import _local_limits

    _local_limits().clear()  # counters a previous test kept in this process


@pytest.mark.django_db
def test_site_serves_from_database_when_redis_is_down(client, redis_down, caplog):
    from django.core.cache import cache

    article = ArticleFactory(title="Storm warning for the islands")
    started = time.monotonic()
    for _ in range(3):
        assert client.get("/").status_code == 200
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Storm warning for the islands" in response.content.decode()
    assert time.monotonic() - started < 5
    assert cache.get("anything") is None
    assert "Redis unavailable" in caplog.text
    # Writes still work (the tag bumps fail quietly).
    article.title = "Storm warning lifted"
    article.save()
    assert "Storm warning lifted" in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_cached_pages_survive_a_database_outage_and_others_get_503(client, settings):
    """With the database unreachable: cached pages still served, the rest a 503 quickly."""
    settings.PAGE_CACHE_TIMEOUT = 600
    article = ArticleFactory(title="Harbour lights festival")
    assert client.get(article.get_absolute_url()).status_code == 200  # now cached
    real = connections["default"]
    connections["default"] = _unreachable_copy(real)
    try:
        anon = Client(raise_request_exception=False)
        started = time.monotonic()
        hit = anon.get(article.get_absolute_url())
        assert hit.status_code == 200
        assert hit["X-Page-Cache"] == "hit"
        response = anon.get("/topics/not-cached-yet/")
        assert time.monotonic() - started < 8
        assert response.status_code == 503
        body = response.content.decode()
        assert "briefly unavailable" in body
        assert 'href="/"' in body  # a way home
        assert response["Retry-After"]
    finally:
        connections["default"].close()
        connections["default"] = real


@pytest.mark.django_db
def test_signed_in_reader_gets_503_when_database_is_down(client, reader):
    """The session lookup fails in middleware, before any view: still a 503, not a 500."""
    client.force_login(reader)
    client.raise_request_exception = False
    real = connections["default"]
    connections["default"] = _unreachable_copy(real)
    try:
        response = client.get("/")
        assert response.status_code == 503
    finally:
        connections["default"].close()
        connections["default"] = real


def _unreachable_copy(conn):
    """A connection like `conn` but to a database that cannot be reached.

    A fresh wrapper, so the test's own connection (and its transaction) stays intact.
    """
    settings_dict = dict(conn.settings_dict)
    if conn.vendor == "postgresql":
        # A real TCP refusal: the same path as PostgreSQL being down.
        settings_dict["HOST"] = "127.0.0.1"
        settings_dict["PORT"] = _closed_port()
    else:
        settings_dict["NAME"] = "/nonexistent-dir/newsroom.sqlite3"
    return conn.__class__(settings_dict, conn.alias)


def test_one_late_redis_reply_is_a_miss_three_in_a_row_mean_redis_is_down():
    """A Redis that accepts connections but does not answer in time (the kernel completes
    the handshake on a listening socket nobody reads): each call times out into a miss,
    and only the third in a row switches the process to "no cache" for a while."""
    from serving.cache_backend import ResilientRedisCache

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        cache = ResilientRedisCache(
            f"redis://127.0.0.1:{port}/0",
            {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.1}},
        )
        for attempt in range(1, 4):
            started = time.monotonic()
            assert cache.get("page") is None
            # Each of the three really asked Redis (and waited for its timeout)...
            assert time.monotonic() - started >= 0.1, attempt
        # ...after which the process stops asking: no wait at all.
        started = time.monotonic()
        assert cache.get("page") is None
        assert time.monotonic() - started < 0.05


@pytest.mark.django_db
def test_login_signup_and_comments_work_without_redis(client, redis_down, caplog):
    """The limits fell closed: a correct password answered "Too many failed login
    attempts" and sign-ups and comments got 429. Now they hold per process."""
    from django.urls import reverse

    from tests.factories import ConfirmedReaderFactory

    reader = ConfirmedReaderFactory()
    response = client.post(
        reverse("account_login"), {"login": reader.email, "password": "a-Long-passw0rd!"}
    )
    assert response.status_code == 302
    article = ArticleFactory()
    response = client.post(
        reverse("comments:post", args=[article.slug]), {"body": "Is the coast road open?"}
    )
    assert response.status_code == 302
    client.logout()
    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "Wren Hollow",
            "email": "wren@example.org",
            "password1": "a-Long-passw0rd!",
            "password2": "a-Long-passw0rd!",
        },
    )
    assert response.status_code == 302
    assert "rate limits are kept per process" in caplog.text


@pytest.mark.django_db
def test_limits_still_hold_in_the_process_without_redis(client, redis_down):
    from django.urls import reverse

    from tests.factories import ConfirmedReaderFactory

    reader = ConfirmedReaderFactory()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": reader.email, "password": "wrong"})
    response = client.post(
        reverse("account_login"), {"login": reader.email, "password": "a-Long-passw0rd!"}
    )
    assert "Too many failed login attempts" in response.content.decode()
