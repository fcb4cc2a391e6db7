"""A draft rejected on the incoming desk (stories/desk.py) is withdrawn, and the feed's
dedupe (source + GUID) never brings it back, even when the entry changes."""

import pytest
from django.urls import reverse

from articles.models import Article
from ingest.importer import ingest_source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def _feed(title: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>{title}</title><link>https://courier.example.org/pier</link>"
        "<guid>urn:pier</guid><description>The pier is closed.</description></item>"
        "</channel></rss>"
    ).encode()


def test_a_rejected_draft_is_never_imported_again(client, editor, feed_server):
    source = SourceFactory(slug="courier", feed_url=feed_server.url("/rss"))
    feed_server.add("/rss", _feed("Pier closed for repairs"))
    assert ingest_source(source=source).new == 1
    draft = Article.objects.get(guid="urn:pier")
    assert draft.status == Article.Status.DRAFT
    client.force_login(editor)
    client.post(reverse("admin:stories_incoming"), {"single": f"reject:{draft.pk}"})
    draft.refresh_from_db()
    assert draft.status == Article.Status.WITHDRAWN

    feed_server.add("/rss", _feed("Pier closed for repairs until May"))  # the entry changes
    report = ingest_source(source=source)
    assert report.new == 0 and report.skipped == 1
    draft.refresh_from_db()
    assert draft.status == Article.Status.WITHDRAWN
    assert draft.title == "Pier closed for repairs"
    assert Article.objects.filter(guid="urn:pier").count() == 1
