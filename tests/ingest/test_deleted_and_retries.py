"""Deleted stays deleted, withdrawn stays withdrawn, and a lead image that failed is tried
again on later polls with the task queue's backoff (issue 30)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from ingest.importer import ingest_source
from ingest.models import DeletedEntry, PendingImage
from jobs.retry import retry_delay
from tests.factories import SourceFactory, image_bytes

pytestmark = pytest.mark.django_db

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour</title>
<item><guid>h-1</guid><title>Tide gauge repaired{mark}</title><description>Fixed.</description>
<enclosure url="{base}/img/gauge.jpg" type="image/jpeg" length="1"/></item>
<item><guid>h-2</guid><title>Pier reopens{mark}</title><description>Open.</description></item>
</channel></rss>"""


@pytest.fixture
def source(feed_server):
    source = SourceFactory(feed_url=feed_server.url("/rss"))
    feed_server.add("/img/gauge.jpg", image_bytes("JPEG", (640, 400)))
    return source


def serve(feed_server, mark=""):
    feed_server.add("/rss", FEED.format(base=feed_server.base, mark=mark))


def test_a_deleted_article_is_not_imported_again(feed_server, source):
    serve(feed_server)
    ingest_source(source=source)
    Article.objects.get(guid="h-2").delete()
    assert DeletedEntry.objects.filter(source=source, guid="h-2").exists()
    serve(feed_server, mark=" (updated)")  # a changed poll: every entry looks new or changed
    report = ingest_source(source=source)
    assert (report.updated, report.skipped, report.new) == (1, 1, 0)
    assert "Skipped, an editor deleted it: 'Pier reopens (updated)'" in report.notes
    assert not Article.objects.filter(guid="h-2").exists()


def test_a_withdrawn_article_is_not_updated(feed_server, source):
    serve(feed_server)
    ingest_source(source=source)
    Article.objects.filter(guid="h-2").update(status=Article.Status.WITHDRAWN)
    serve(feed_server, mark=" (updated)")
    report = ingest_source(source=source)
    assert report.skipped == 1
    pier = Article.objects.get(guid="h-2")
    assert (pier.title, pier.status) == ("Pier reopens", Article.Status.WITHDRAWN)


def test_a_failed_image_is_retried_on_a_later_unchanged_poll(feed_server, source):
    feed_server.add("/img/gauge.jpg", status=503)
    serve(feed_server)
    report = ingest_source(source=source)
    assert report.new == 2 and "HTTP 503" in report.errors[0]
    gauge = Article.objects.get(guid="h-1")
    assert not gauge.lead_image
    assert PendingImage.objects.get(article=gauge).attempts == 1

    feed_server.add("/img/gauge.jpg", image_bytes("JPEG", (640, 400)))
    PendingImage.objects.update(retry_at=timezone.now() - timedelta(seconds=1))  # time passed
    report = ingest_source(source=source)  # the same feed: its entries are unchanged
    assert report.unchanged == 2
    gauge.refresh_from_db()
    assert gauge.lead_image and gauge.lead_image_width == 640
    assert not PendingImage.objects.exists()


def test_retries_back_off_and_give_up(feed_server, source, settings):
    settings.TASKS_RETRY_DELAY = 60
    settings.TASKS_MAX_ATTEMPTS = 3
    feed_server.add("/img/gauge.jpg", status=404)
    serve(feed_server)
    ingest_source(source=source)
    pending = PendingImage.objects.get()
    asked = feed_server.paths_requested().count("/img/gauge.jpg")
    ingest_source(source=source)  # not due yet: the image is not asked for
    assert feed_server.paths_requested().count("/img/gauge.jpg") == asked

    PendingImage.objects.update(retry_at=timezone.now() - timedelta(seconds=1))
    before = timezone.now()
    report = ingest_source(source=source)
    pending.refresh_from_db()
    assert pending.attempts == 2
    assert pending.retry_at >= before + retry_delay(2) - timedelta(seconds=1)
    assert any("try 2" in note for note in report.notes)

    PendingImage.objects.update(retry_at=timezone.now() - timedelta(seconds=1))
    report = ingest_source(source=source)
    assert not PendingImage.objects.exists()
    assert any("gave up after 3 tries" in note for note in report.notes)
