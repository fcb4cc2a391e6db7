"""Request limits: per address for anonymous reads, per token for apps, hits included."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from api import throttle
from api.throttle import counts

from .conftest import AppClient, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def hour_window():
    """Windows are fixed ("N/3600": the clock's hour). Requests straddling a window's end
    would find a fresh budget in the next one (seen on a loaded machine with one-minute
    windows): start well inside one."""
    left = 3600 - time.time() % 3600
    if left < 30:
        time.sleep(left + 0.1)


def test_anonymous_reads_are_limited_per_address_even_on_cache_hits(
    app, article, settings, hour_window
):
    settings.API_RATE_ANON = "3/3600"
    url = f"/api/v1/articles/{article.slug}"
    statuses = [app.get(url) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 200]
    assert statuses[-1]["X-Page-Cache"] == "hit"

    limited = app.get(url)
    assert limited.status_code == 429
    assert limited["Content-Type"] == "application/problem+json"
    assert 1 <= int(limited["Retry-After"]) <= 3601
    assert limited.json()["code"] == "rate_limited"
    # Another address has its own budget.
    other = app.client.get(url, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200


def test_tokens_are_limited_per_token_and_made_up_tokens_buy_nothing(
    client, article, settings, ada, bram, hour_window
):
    settings.API_RATE_ANON = "2/3600"
    settings.API_RATE_TOKEN = "4/3600"
    url = "/api/v1/articles"
    first = AppClient(client, sign_in(client, ada.email))
    second = AppClient(client, sign_in(client, bram.email))
    counts.clear()
    cache.clear()
    assert [first.get(url).status_code for _ in range(4)] == [200] * 4
    assert first.get(url).status_code == 429
    # A fresh token from the same address still counts against the address (4 already).
    assert second.get(url).status_code == 429


def test_a_token_that_names_no_session_counts_as_anonymous(client, article, settings, hour_window):
    # Issue 28: 160 requests with a made-up X-Session-Token all got 200, past the
    # anonymous limit, because any token got the (larger) token budget.
    settings.API_RATE_ANON = "3/3600"
    settings.API_RATE_TOKEN = "1000/3600"
    url = "/api/v1/articles"
    statuses = [AppClient(client, f"made-up-{n}").get(url).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_windows_end(rf, settings):
    settings.API_RATE_ANON = "1/10"
    request = rf.get("/api/v1/articles")
    assert throttle.check(request, now=1000.0) is None
    assert throttle.check(request, now=1001.0) == 10
    assert throttle.check(request, now=1010.0) is None


def test_pages_outside_the_api_are_not_counted(client, article, settings):
    settings.API_RATE_ANON = "1/60"
    for _ in range(3):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_processes_add_their_counts_to_the_shared_one(rf, settings):
    """Each process counts locally and adds to the shared count every SYNC_BATCH
    requests, or at once past half the budget: two processes together allow the limit."""
    settings.API_RATE_ANON = f"{throttle.SYNC_BATCH * 2 + 8}/60"
    request = rf.get("/api/v1/articles")
    allowed = 0
    for _ in range(throttle.SYNC_BATCH):  # process A: one batch, then added
        allowed += throttle.check(request, now=600.0) is None
    throttle.counts.clear()  # process B, knowing nothing yet
    while throttle.check(request, now=600.0) is None:
        allowed += 1
    assert allowed == throttle.SYNC_BATCH * 2 + 8


def test_a_cache_hit_counts_without_a_round_trip_most_of_the_time(rf, settings):
    settings.API_RATE_ANON = "1000/60"
    request = rf.get("/api/v1/articles")
    from django.core.cache import cache

    for _ in range(throttle.SYNC_BATCH - 1):
        assert throttle.check(request, now=1200.0) is None
    assert cache.get(f"{throttle.KEY_PREFIX}ip:127.0.0.1:20") is None
    throttle.check(request, now=1200.0)
    assert cache.get(f"{throttle.KEY_PREFIX}ip:127.0.0.1:20") == throttle.SYNC_BATCH


def test_behind_the_proxy_each_reader_has_their_own_budget(app, article, settings, hour_window):
    """With TRUSTED_PROXY_COUNT set, the address is the proxy's X-Forwarded-For entry
    (serving/client.py): one reader using up the budget leaves the others theirs."""
    settings.API_RATE_ANON = "2/3600"
    settings.TRUSTED_PROXY_COUNT = 1
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.5"]
    url = f"/api/v1/articles/{article.slug}"
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for _ in range(2):
        app.client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    assert app.client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy).status_code == 429
    assert app.client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 200


def test_a_test_starts_with_no_request_counted(rf, settings):
    # tests/conftest.py clears the shared counts before each test, and must clear this
    # process's copies with them, or a test after a busy one gets 429s.
    from tests.conftest import clear_caches

    settings.API_RATE_ANON = "2/3600"
    request = rf.get("/api/v1/articles")
    now = 3600.0 * 500
    assert [throttle.check(request, now=now) for _ in range(3)] == [None, None, 3601]
    clear_caches()
    assert throttle.check(request, now=now) is None
