"""A feed server that trickles bytes cannot hold ingestion or the other sources' run.

The bounds asserted below are generous (seconds against "forever"): they check that a
deadline exists, not how fast anything is.
"""

import time

import pytest
from django.core.management import call_command

from articles.models import Article
from ingest.fetch import FetchError, fetch
from ingest.importer import ingest_source
from tests.factories import SourceFactory
from tests.ingest.trickle_server import TrickleServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def trickle(settings):
    settings.FEED_ALLOW_PRIVATE_HOSTS = True
    settings.FEED_TIMEOUT = 0.5  # each byte comes after 0.05 s: never a socket timeout
    settings.FEED_DEADLINE = 1.0
    servers = []

    def start(mode):
        server = TrickleServer(mode)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.mark.parametrize("mode", ["headers", "body"])
def test_fetch_ends_at_the_deadline_however_slowly_the_server_drips(trickle, mode):
    server = trickle(mode)
    started = time.monotonic()
    with pytest.raises(FetchError, match="Timed out") as excinfo:
        fetch(server.url, max_bytes=5_000_000)
    assert time.monotonic() - started < 4
    assert "over 1 s in all" in str(excinfo.value)


def test_a_trickling_source_does_not_stop_the_cron_run(trickle, feed_server, capsys):
    hostile = trickle("headers")
    SourceFactory(slug="aa-drip", feed_url=hostile.url)
    feed_server.add_feed("/rss", "rss2.xml")
    SourceFactory(slug="bb-harbour", feed_url=feed_server.url("/rss"))
    started = time.monotonic()
    call_command("ingest_feeds")
    assert time.monotonic() - started < 8
    out = capsys.readouterr()
    assert "bb-harbour: 3 new" in out.out
    assert "Timed out" in out.err
    assert Article.objects.filter(source__slug="bb-harbour").count() == 3


def test_trickling_images_share_the_sources_budget(trickle, feed_server, settings):
    hostile = trickle("body")
    settings.FEED_DEADLINE = 10  # each fetch alone could take long...
    settings.FEED_SOURCE_BUDGET = 1.5  # ...but the source's imports share this
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Drip</title>'
        + "".join(
            f"<item><title>Story {n}</title><link>https://example.org/{n}</link>"
            f'<enclosure url="{hostile.url}?{n}" type="image/jpeg" length="1"/></item>'
            for n in range(5)
        )
        + "</channel></rss>"
    ).encode()
    feed_server.add("/rss", body, headers={"Content-Type": "application/rss+xml"})
    source = SourceFactory(feed_url=feed_server.url("/rss"))
    started = time.monotonic()
    report = ingest_source(source=source)
    assert time.monotonic() - started < 6
    assert report.new == 5  # the stories are imported without their pictures
    assert any("no time left" in e or "Timed out" in e for e in report.errors)
