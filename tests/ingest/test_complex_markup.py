"""Deeply nested or huge markup is refused before nh3, with a note on the source."""

import time

import pytest

from articles import sanitize
from articles.models import Article
from ingest.importer import ingest_source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def _feed(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>https://example.org/{n}</link>"
        f"<guid>g{n}</guid><description><![CDATA[{html}]]></description></item>"
        for n, (title, html) in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'
    ).encode()


@pytest.fixture
def source(feed_server):
    return SourceFactory(slug="deep", feed_url=feed_server.url("/rss"))


def test_a_deeply_nested_entry_is_left_out_and_the_rest_imported(feed_server, source):
    """80,000 nested elements took 38 s to import; now they are refused at once."""
    deep = "<div>" * 80_000 + "x" + "</div>" * 80_000
    feed_server.add("/rss", _feed(("Nested", deep), ("Ferry news", "<p>The ferry runs.</p>")))
    started = time.monotonic()
    report = ingest_source(source=source)
    assert time.monotonic() - started < 10  # seconds against minutes: a bound, not a benchmark
    assert report.new == 1
    assert Article.objects.get().title == "Ferry news"
    assert any("'Nested' was left out" in e and "100 deep" in e for e in report.errors)
    state = source.feed_state
    state.refresh_from_db()
    assert "Nested" in state.last_error and state.consecutive_failures == 0


def test_too_many_elements_are_refused(feed_server, source):
    wide = "<b>x</b>" * 25_000
    feed_server.add("/rss", _feed(("Wide", wide)))
    report = ingest_source(source=source)
    assert report.new == 0
    assert "more than 20,000 elements" in report.errors[0]


def test_unclosed_paragraphs_and_list_items_are_not_depth(feed_server, source):
    html = "<ul>" + "<li>item" * 500 + "</ul>" + "<p>para" * 500
    feed_server.add("/rss", _feed(("Flat", html)))
    assert ingest_source(source=source).new == 1


def test_each_entry_is_cleaned_once(feed_server, source, monkeypatch):
    calls = []
    real = sanitize._clean

    def counting(html, attribute_filter):
        calls.append(len(html))
        return real(html, attribute_filter)

    monkeypatch.setattr(sanitize, "_clean", counting)
    feed_server.add("/rss", _feed(("One", "<p>First story.</p>"), ("Two", "<p>Second.</p>")))
    assert ingest_source(source=source).new == 2
    assert len(calls) == 2  # not again for the text, the summary or Article.save()


def test_the_admin_says_why_a_too_deep_body_cannot_be_saved(client, editor):
    from django.urls import reverse

    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_add"),
        {"title": "Deep", "slug": "deep", "body": "<div>" * 500, "status": "draft"},
    )
    assert response.status_code == 200
    assert "This body cannot be saved" in response.content.decode()
