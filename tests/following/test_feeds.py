"""Feeds readers can see: an RSS link on every list page; story, author and search feeds."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from django.urls import reverse

from articles.models import Article
from tests import factories

from .conftest import report, story_of

pytestmark = pytest.mark.django_db


def _rss_link(html: str) -> str:
    marker = 'class="feed-link" href="'
    assert marker in html, "no visible RSS link"
    return html.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")


def test_every_list_page_shows_an_rss_link_to_its_own_feed(client):
    topic = factories.TopicFactory(slug="ferries")
    article = report(byline="Jane Roe", topics=[topic])
    story = story_of(article)
    pages = {
        "/": reverse("syndication:feed_latest_rss"),
        article.source.get_absolute_url(): reverse(
            "syndication:feed_source_rss", args=[article.source.slug]
        ),
        topic.get_absolute_url(): reverse("syndication:feed_topic_rss", args=["ferries"]),
        "/authors/jane-roe/": reverse("syndication:feed_author_rss", args=["jane-roe"]),
        story.get_absolute_url(): reverse("syndication:feed_story_rss", args=[story.slug]),
        "/search/?q=report": reverse("syndication:feed_search_rss") + "?q=report",
    }
    for page, feed in pages.items():
        html = client.get(page).content.decode()
        assert _rss_link(html) == feed, page
        assert client.get(feed).status_code == 200, feed


def test_story_feed_lists_every_source_s_report_newest_first(client):
    first = report(hours_ago=3)
    second = report(hours_ago=1, story_of=first)
    report(hours_ago=2)  # another story
    body = client.get(reverse("syndication:feed_story_rss", args=[story_of(first).slug]))
    text = body.content.decode()
    assert body["Content-Type"].startswith("application/rss+xml")
    assert text.count("<item>") == 2
    items = text.split("<item>", 1)[1]  # the channel's title is the lead's headline
    assert items.index(second.title) < items.index(first.title)


def test_author_feed_lists_the_byline_s_articles_and_404s_for_no_one(client):
    mine = report(byline="Jane Roe")
    report(byline="John Doe")
    text = client.get("/authors/jane-roe/feed.atom").content.decode()
    assert mine.title in text and text.count("<entry>") == 1
    assert client.get("/authors/nobody-here/feed.rss").status_code == 404


def test_search_feed_keeps_the_search_and_survives_odd_input(client):
    found = report(title="Lighthouse keeper retires after forty years")
    report(title="Chess final drawn in Carrow")
    text = client.get("/search/feed.rss?q=lighthouse").content.decode()
    assert found.title in text and "Chess" not in text
    assert client.get("/search/feed.rss?q=%00%ff" + "x" * 5000).status_code == 200


def test_a_control_character_in_a_name_or_title_leaves_every_feed_well_formed(client):
    # Feeds' own control characters are dropped on import; an editor can still paste one
    # into a topic's or source's name, a headline or a byline in the admin. XML 1.0 cannot
    # hold it, escaped or not: Django's feed generator raised (a 500).
    topic = factories.TopicFactory(name="Ferries\x01", slug="ferries")
    source = factories.SourceFactory(name="Coast\x1f Post", slug="coast-post")
    article = report(title="Quay\x0b reopens", byline="Jane Roe", topics=[topic], source=source)
    Article.objects.filter(pk=article.pk).update(byline="Jane \x02Roe")
    story = story_of(article).slug
    for name, args in [
        ("latest", []), ("topic", ["ferries"]), ("source", ["coast-post"]),
        ("author", ["jane-roe"]), ("story", [story]),
    ]:  # fmt: skip
        for kind in ("rss", "atom"):
            response = client.get(reverse(f"syndication:feed_{name}_{kind}", args=args))
            assert response.status_code == 200, (name, kind)
            text = ElementTree.tostring(ElementTree.fromstring(response.content), "unicode")
            assert "Quay reopens" in text, (name, kind)
