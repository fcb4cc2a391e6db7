"""The demo feed: served by the site itself, polled through its one allowed private address."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from articles.models import Article
from ingest.models import FeedState
from ingest.tasks import poll_feed
from tests.factories import ArticleFactory, SourceFactory


def test_demo_feed_is_off_unless_asked_for(client, settings):
    settings.DEMO_FEED = False
    assert client.get(reverse("demo:feed")).status_code == 404


def test_demo_source_gets_its_stories_and_no_other_private_address_is_allowed(
    live_server, settings
):
    settings.DEMO_FEED = True
    settings.FEED_ALLOW_PRIVATE_HOSTS = False
    demo_url = live_server.url + reverse("demo:feed")
    settings.FEED_PRIVATE_URL_EXCEPTIONS = [demo_url]
    demo = SourceFactory(slug="demo-wire", feed_url=demo_url, auto_publish=True)
    poll_feed.call(demo.pk)
    titles = set(Article.objects.published().filter(source=demo).values_list("title", flat=True))
    assert "Seed library opens in the old signal box" in titles and len(titles) == 3
    # The same server under any other address stays refused.
    other = SourceFactory(slug="other", feed_url=demo_url + "?again=1")
    poll_feed.call(other.pk)
    assert "private or local network" in FeedState.objects.get(pk=other.pk).last_error


def test_view_on_site_goes_to_site_url(admin_client, settings):
    from django.contrib.sites.models import Site

    from serving.sites import sync_site

    settings.SITE_URL = "http://127.0.0.1:8123"
    sync_site()
    assert Site.objects.get_current().domain == "127.0.0.1:8123"
    article = ArticleFactory()
    ct = ContentType.objects.get_for_model(Article)
    response = admin_client.get(reverse("admin:view_on_site", args=[ct.pk, article.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"http://127.0.0.1:8123{article.get_absolute_url()}"


def test_demo_gazette_arrives_complete_from_its_summary_only_feed(live_server, settings):
    from demo.fulltext import GAZETTE_ARTICLES

    settings.DEMO_FEED = True
    settings.FEED_ALLOW_PRIVATE_HOSTS = False
    settings.FULLTEXT_DELAY = 0
    settings.SITE_URL = live_server.url  # the feed links to the article pages there
    feed_url = live_server.url + reverse("demo:gazette_feed")
    pages = [
        live_server.url + reverse("demo:gazette_article", args=[a[0]]) for a in GAZETTE_ARTICLES
    ]
    settings.FEED_PRIVATE_URL_EXCEPTIONS = [feed_url, f"{live_server.url}/robots.txt", *pages]
    gazette = SourceFactory(feed_url=feed_url, auto_publish=True, fetch_full_text=True)
    poll_feed.call(gazette.pk)
    slug, title, summary, paragraphs = GAZETTE_ARTICLES[0]
    article = Article.objects.published().get(source=gazette, title=title)
    assert article.summary == summary
    missing = [p for p in paragraphs if p not in article.body]
    assert not missing, FeedState.objects.get(pk=gazette.pk).full_text_note
    assert "Most read" not in article.body and "cookies" not in article.body
    assert article.full_text_fetched_at is not None
