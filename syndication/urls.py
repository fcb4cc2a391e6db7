"""Feeds, sitemaps and robots.txt: everything the site sends out for other machines."""

from django.urls import path

from serving.cache import cache_for_anonymous

from . import feeds, sitemaps, views

app_name = "syndication"


def _feed(route: str, feed: type[feeds.LatestArticlesFeed], *, name: str):
    """A feed's URL: cached whole for anonymous readers, like the pages it mirrors."""
    return path(route, cache_for_anonymous(feed(), query=()), name=name)


urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemaps.sitemap_index,
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap_index",
    ),
    path("sitemap-news.xml", sitemaps.news_sitemap, name="sitemap_news"),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap_section,
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap_section",
    ),
    # Feeds (a search's feed varies with its query).
    _feed("feeds/latest.rss", feeds.LatestArticlesFeed, name="feed_latest_rss"),
    _feed("feeds/latest.atom", feeds.LatestArticlesAtomFeed, name="feed_latest_atom"),
    _feed("sources/<slug:slug>/feed.rss", feeds.SourceFeed, name="feed_source_rss"),
    _feed("sources/<slug:slug>/feed.atom", feeds.SourceAtomFeed, name="feed_source_atom"),
    _feed("topics/<slug:slug>/feed.rss", feeds.TopicFeed, name="feed_topic_rss"),
    _feed("topics/<slug:slug>/feed.atom", feeds.TopicAtomFeed, name="feed_topic_atom"),
    _feed("authors/<slug:slug>/feed.rss", feeds.AuthorFeed, name="feed_author_rss"),
    _feed("authors/<slug:slug>/feed.atom", feeds.AuthorAtomFeed, name="feed_author_atom"),
    _feed("stories/<slug:slug>/feed.rss", feeds.StoryFeed, name="feed_story_rss"),
    _feed("stories/<slug:slug>/feed.atom", feeds.StoryAtomFeed, name="feed_story_atom"),
    path(
        "search/feed.rss",
        cache_for_anonymous(query=["q", "source", "topic"])(feeds.SearchFeed()),
        name="feed_search_rss",
    ),
]
