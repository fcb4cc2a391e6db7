"""RSS 2.0 and Atom feeds: the latest articles, and per source and per topic.

All links are absolute on SITE_URL (see `seo.absolute_url`), so feeds look the same from
every app server and whatever Host a client sends.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from articles.models import Article, Source, Topic

from .metadata import absolute_url

FEED_SIZE = 30


class LatestArticlesFeed(Feed):
    """The newest published articles, across every source."""

    feed_type = Rss201rev2Feed
    url_name = "syndication:feed_latest_rss"

    def title(self, obj=None) -> str:
        return f"{settings.SITE_NAME}: latest news"

    def description(self, obj=None) -> str:
        return "The latest articles, newest first."

    def link(self, obj=None) -> str:
        return absolute_url(reverse("articles:home"))

    def feed_url(self, obj=None) -> str:
        return absolute_url(reverse(self.url_name))

    def articles(self, obj):
        return Article.objects.published().for_cards()

    def items(self, obj=None):
        return self.articles(obj)[:FEED_SIZE]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        # The summary is plain text, but RSS <description> and Atom <summary type="html">
        # are HTML to a feed reader: escaped here, the reader's one decoding gives back
        # the text, never live markup (the generator's XML escaping is a separate layer).
        return escape(item.summary)

    def item_link(self, item: Article) -> str:
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item: Article) -> str:
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return item.byline or item.source.name


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description
    url_name = "syndication:feed_latest_atom"


class SourceFeed(LatestArticlesFeed):
    """One source's articles (an agency's feed also carries its wire copy elsewhere)."""

    def get_object(self, request, slug: str) -> Source:
        source = get_object_or_404(Source, slug=slug)
        return source

    def title(self, obj: Source) -> str:
        return f"{obj.name} on {settings.SITE_NAME}"

    def description(self, obj: Source) -> str:
        return obj.description or f"The latest articles from {obj.name}."

    def link(self, obj: Source) -> str:
        return absolute_url(obj.get_absolute_url())

    def feed_url(self, obj: Source) -> str:
        return absolute_url(reverse(self.url_name, kwargs={"slug": obj.slug}))

    url_name = "syndication:feed_source_rss"

    def articles(self, obj: Source):
        return Article.objects.published().for_cards().filter(Q(source=obj) | Q(agency=obj))


class SourceAtomFeed(SourceFeed):
    feed_type = Atom1Feed
    subtitle = SourceFeed.description
    url_name = "syndication:feed_source_atom"


class TopicFeed(LatestArticlesFeed):
    """One topic's articles."""

    url_name = "syndication:feed_topic_rss"

    def get_object(self, request, slug: str) -> Topic:
        topic = get_object_or_404(Topic, slug=slug)
        return topic

    def title(self, obj: Topic) -> str:
        return f"{obj.name} on {settings.SITE_NAME}"

    def description(self, obj: Topic) -> str:
        return obj.description or f"The latest {obj.name} articles."

    def link(self, obj: Topic) -> str:
        return absolute_url(obj.get_absolute_url())

    def feed_url(self, obj: Topic) -> str:
        return absolute_url(reverse(self.url_name, kwargs={"slug": obj.slug}))

    def articles(self, obj: Topic):
        return Article.objects.published().for_cards().filter(topics=obj)


class TopicAtomFeed(TopicFeed):
    feed_type = Atom1Feed
    subtitle = TopicFeed.description
    url_name = "syndication:feed_topic_atom"
