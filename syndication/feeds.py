"""RSS 2.0 and Atom feeds: the latest articles, and per source, topic, author, story and
search.

All links are absolute on SITE_URL (see `seo.absolute_url`), so feeds look the same from
every app server and whatever Host a client sends.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.http import urlencode

from articles.models import Article, Source, Topic
from search.forms import SearchForm
from search.query import search_articles
from serving.xmltext import xml_text
from stories.models import Story, StoryMembership

from .metadata import absolute_url

FEED_SIZE = 30


class _XmlText:
    """A feed generator that leaves out what XML cannot hold (serving/xmltext.py)
    instead of raising."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(xml_text, args), **{k: xml_text(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(xml_text, args), **{k: xml_text(v) for k, v in kwargs.items()})


class RssFeed(_XmlText, Rss201rev2Feed):
    pass


class AtomFeed(_XmlText, Atom1Feed):
    pass


class LatestArticlesFeed(Feed):
    """The newest published articles, across every source."""

    feed_type = RssFeed
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
    feed_type = AtomFeed
    subtitle = LatestArticlesFeed.description
    url_name = "syndication:feed_latest_atom"


class OneThingFeed(LatestArticlesFeed):
    """The articles of one thing found by the slug in the URL (a source, a topic...):
    titled with its name, linked to its page; a subclass says which model and which
    articles (and may say how to find the thing, or its slug)."""

    model: type

    def get_object(self, request, slug: str):
        return get_object_or_404(self.model, slug=slug)

    def slug_of(self, obj) -> str:
        return obj.slug

    def title(self, obj) -> str:
        return f"{obj.name} on {settings.SITE_NAME}"

    def link(self, obj) -> str:
        return absolute_url(obj.get_absolute_url())

    def feed_url(self, obj) -> str:
        return absolute_url(reverse(self.url_name, kwargs={"slug": self.slug_of(obj)}))


class SourceFeed(OneThingFeed):
    """One source's articles (an agency's feed also carries its wire copy elsewhere)."""

    model = Source
    url_name = "syndication:feed_source_rss"

    def description(self, obj: Source) -> str:
        return obj.description or f"The latest articles from {obj.name}."

    def articles(self, obj: Source):
        return Article.objects.published().for_cards().filter(Q(source=obj) | Q(agency=obj))


class SourceAtomFeed(SourceFeed):
    feed_type = AtomFeed
    subtitle = SourceFeed.description
    url_name = "syndication:feed_source_atom"


class TopicFeed(OneThingFeed):
    """One topic's articles."""

    model = Topic
    url_name = "syndication:feed_topic_rss"

    def description(self, obj: Topic) -> str:
        return obj.description or f"The latest {obj.name} articles."

    def articles(self, obj: Topic):
        return Article.objects.published().for_cards().filter(topics=obj)


class TopicAtomFeed(TopicFeed):
    feed_type = AtomFeed
    subtitle = TopicFeed.description
    url_name = "syndication:feed_topic_atom"


class AuthorFeed(OneThingFeed):
    """Every article under one byline (the author page's list)."""

    url_name = "syndication:feed_author_rss"

    def get_object(self, request, slug: str) -> Article:
        # Bylines are plain text: the author is who the newest article's byline names.
        latest = Article.objects.published().filter(byline_slug=slug).only("byline").first()
        if latest is None:
            raise Http404("No articles under this byline.")
        return latest

    def slug_of(self, obj: Article) -> str:
        return obj.byline_slug

    def title(self, obj: Article) -> str:
        return f"{obj.byline} on {settings.SITE_NAME}"

    def description(self, obj: Article) -> str:
        return f"The latest articles by {obj.byline}."

    def link(self, obj: Article) -> str:
        return absolute_url(obj.get_author_url())

    def articles(self, obj: Article):
        return Article.objects.published().for_cards().filter(byline_slug=obj.byline_slug)


class AuthorAtomFeed(AuthorFeed):
    feed_type = AtomFeed
    subtitle = AuthorFeed.description
    url_name = "syndication:feed_author_atom"


class StoryFeed(OneThingFeed):
    """A story's reports from every source, newest first: a reader follows one event."""

    url_name = "syndication:feed_story_rss"

    def get_object(self, request, slug: str) -> Story:
        return get_object_or_404(Story.objects.select_related("lead"), slug=slug)

    def title(self, obj: Story) -> str:
        headline = obj.lead.title if obj.lead else obj.slug
        return f"{headline}: full coverage on {settings.SITE_NAME}"

    def description(self, obj: Story) -> str:
        return "Every source's report of this story, newest first."

    def articles(self, obj: Story):
        return (
            Article.objects.published()
            .for_cards()
            .filter(pk__in=StoryMembership.objects.filter(story=obj).values("article_id"))
        )


class StoryAtomFeed(StoryFeed):
    feed_type = AtomFeed
    subtitle = StoryFeed.description
    url_name = "syndication:feed_story_atom"


class SearchFeed(LatestArticlesFeed):
    """A search's newest results (/search/feed.rss?q=...): a saved search in a reader."""

    url_name = "syndication:feed_search_rss"

    def get_object(self, request) -> SearchForm:
        return SearchForm.from_request(request)

    def title(self, obj: SearchForm) -> str:
        return f"Search “{obj.q}” on {settings.SITE_NAME}" if obj.q else self._all()

    def _all(self) -> str:
        return f"{settings.SITE_NAME}: latest news"

    def description(self, obj: SearchForm) -> str:
        return "The newest articles matching this search."

    def _query(self, obj: SearchForm) -> str:
        params = (("q", obj.q), ("source", obj.source), ("topic", obj.topic))
        return urlencode({k: v for k, v in params if v})

    def link(self, obj: SearchForm) -> str:
        return absolute_url(f"{reverse('search:search')}?{self._query(obj)}")

    def feed_url(self, obj: SearchForm) -> str:
        return absolute_url(f"{reverse(self.url_name)}?{self._query(obj)}")

    def articles(self, obj: SearchForm):
        # Newest first, not by rank: a feed reader wants what is new.
        return search_articles(obj).order_by("-published_at", "-id")
