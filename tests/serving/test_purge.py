"""Purging HTTP caches by tag: a real HTTP server on 127.0.0.1 stands in for Varnish."""

import logging

import pytest

from serving import purge


def test_purge_tags_sends_one_request_with_every_tag(cache_server):
    purge.purge_tags(["comments:7", "article:7", "article:7"])
    assert cache_server.seen == ["article:7 comments:7"]


def test_purge_tags_raises_when_a_cache_refuses(cache_server):
    cache_server.statuses = [403]
    with pytest.raises(purge.PurgeFailed):
        purge.purge_tags(["promo"])


def test_scheduled_purge_is_retried_until_it_succeeds(cache_server, monkeypatch, caplog):
    monkeypatch.setattr(purge, "RETRY_DELAYS", (0.05, 0.05, 0.05))
    cache_server.statuses = [503, 503]
    with caplog.at_level(logging.WARNING, logger="serving.purge"):
        purge.schedule(["article:3"])
        assert purge.worker.drain(5)
    assert cache_server.seen == ["article:3"] * 3
    assert "try 1" in caplog.text and "try 2" in caplog.text
    assert "gave up" not in caplog.text


def test_a_purge_that_keeps_failing_is_logged_as_an_error_with_its_tags(
    cache_server, monkeypatch, caplog
):
    monkeypatch.setattr(purge, "RETRY_DELAYS", (0.01, 0.01))
    cache_server.statuses = [500] * 10
    with caplog.at_level(logging.WARNING, logger="serving.purge"):
        purge.schedule(["source:2", "list:articles"])
        assert purge.worker.drain(5)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and "list:articles source:2" in errors[0].getMessage()


def test_nothing_is_sent_without_purge_urls(settings):
    settings.PURGE_URLS = []
    purge.schedule(["article:1"])
    assert purge.worker.drain(1)
