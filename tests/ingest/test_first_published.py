"""Imported copy keeps the source's own time, and a credit closing the summary counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from ingest.importer import ingest_source
from tests.factories import AgencyFactory, SourceFactory

pytestmark = pytest.mark.django_db

FEED = """<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Coast Herald</title><link>https://coast.example.org/</link><description>x</description>
<item>
  <guid>coast-1</guid><title>Dune fences go up along the bay</title>
  <link>https://coast.example.org/dunes</link>
  <pubDate>Tue, 03 Mar 2026 06:15:00 +0000</pubDate>
  <description>Marram grass planted behind new fences. (Meridian Press Agency)</description>
  <content:encoded><![CDATA[<p>Marram grass planted behind fences.</p>]]></content:encoded>
</item>
</channel></rss>"""


def test_credit_at_the_end_of_the_summary_names_the_agency(feed_server):
    meridian = AgencyFactory(name="Meridian Press Agency", slug="meridian-press", aliases="MPA")
    source = SourceFactory(name="Coast Herald", slug="coast-herald")
    ingest_source(source=source, location=feed_server.add("/c", FEED))
    assert Article.objects.get(guid="coast-1").agency == meridian


def test_publishing_an_imported_draft_keeps_the_first_publication_time(feed_server, client, editor):
    source = SourceFactory(name="Coast Herald", slug="coast-herald")
    ingest_source(source=source, location=feed_server.add("/c", FEED))
    article = Article.objects.get(guid="coast-1")
    assert article.status == Article.Status.DRAFT
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.published_at > timezone.now() - timezone.timedelta(minutes=1)
    assert article.first_published_at.isoformat() == "2026-03-03T06:15:00+00:00"
    client.logout()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "First published by Coast Herald at" in page and "3 Mar 2026, 06:15 (UTC)" in page
