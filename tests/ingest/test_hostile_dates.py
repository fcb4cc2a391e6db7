"""Out-of-range dates fall back to the fetch time with a note; one invalid character
reference does not cost the whole feed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from ingest.importer import ingest_source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def _rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def _item(n: int, pub_date: str = "", title: str = "") -> str:
    date = f"<pubDate>{pub_date}</pubDate>" if pub_date else ""
    return (
        f"<item><title>{title or f'Story {n}'}</title><link>https://example.org/{n}</link>"
        f"<guid>g{n}</guid><description>Text {n}.</description>{date}</item>"
    )


@pytest.fixture
def source(feed_server):
    return SourceFactory(slug="dates", feed_url=feed_server.url("/rss"))


@pytest.mark.parametrize(
    "pub_date",
    [
        "Fri, 31 Dec 9999 23:59:59 -1400",
        "0001-01-01T00:00:00+14:00",
        "Fri, 01 Mar 2024 10:00:00 +2500",
        "Sat, 01 Jan 1000 00:00:00 +0000",
    ],
    ids=["year-9999", "year-1", "offset-2500", "year-1000"],
)
def test_an_unusable_date_becomes_the_fetch_time_with_a_note(feed_server, source, pub_date):
    feed_server.add("/rss", _rss(_item(1, pub_date), _item(2, "Fri, 01 Mar 2024 10:00:00 +0100")))
    before = timezone.now()
    report = ingest_source(source=source)
    assert report.new == 2, report.messages
    odd = Article.objects.get(guid="g1")
    assert before - timedelta(seconds=5) <= odd.published_at <= timezone.now()
    assert any("'Story 1'" in n and "fetch time is used" in n for n in report.notes)
    normal = Article.objects.get(guid="g2")
    assert normal.published_at == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def test_the_widest_real_offsets_are_fine(feed_server, source):
    feed_server.add(
        "/rss",
        _rss(
            _item(1, "Fri, 01 Mar 2024 10:00:00 +1400"),
            _item(2, "Fri, 01 Mar 2024 10:00:00 -1200"),
        ),
    )
    report = ingest_source(source=source)
    assert report.new == 2 and not report.notes
    assert Article.objects.get(guid="g1").published_at == datetime(2024, 2, 29, 20, tzinfo=UTC)


@pytest.mark.parametrize("ref", ["&#0;", "&#xD800;", "&#99999999;", "&#x1;"])
def test_one_invalid_character_reference_does_not_fail_the_feed(feed_server, source, ref):
    feed_server.add("/rss", _rss(_item(1, title=f"Broken {ref} title"), _item(2), _item(3)))
    report = ingest_source(source=source)
    assert not report.failed, report.messages
    assert report.new == 3
    assert Article.objects.get(guid="g1").title == "Broken \ufffd title"
    assert any("invalid character reference" in n for n in report.notes)


def test_a_truly_malformed_feed_is_still_refused(feed_server, source):
    feed_server.add("/rss", _rss(_item(1)).replace(b"</channel>", b"<channel>"))
    report = ingest_source(source=source)
    assert report.failed and "Malformed XML" in report.errors[0]
