"""Feeds, sitemaps and robots.txt: everything the site sends out for other machines."""

from django.urls import path

from serving.cache import cache_for_anonymous

from . import feeds, sitemaps, views

app_name = "syndication"

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
    # Feeds: cached whole for anonymous readers like the pages they mirror.
    path(
        "feeds/latest.rss",
        cache_for_anonymous(feeds.LatestArticlesFeed(), query=()),
        name="feed_latest_rss",
    ),
    path(
        "feeds/latest.atom",
        cache_for_anonymous(feeds.LatestArticlesAtomFeed(), query=()),
        name="feed_latest_atom",
    ),
    path(
        "sources/<slug:slug>/feed.rss",
        cache_for_anonymous(feeds.SourceFeed(), query=()),
        name="feed_source_rss",
    ),
    path(
        "sources/<slug:slug>/feed.atom",
        cache_for_anonymous(feeds.SourceAtomFeed(), query=()),
        name="feed_source_atom",
    ),
    path(
        "topics/<slug:slug>/feed.rss",
        cache_for_anonymous(feeds.TopicFeed(), query=()),
        name="feed_topic_rss",
    ),
    path(
        "topics/<slug:slug>/feed.atom",
        cache_for_anonymous(feeds.TopicAtomFeed(), query=()),
        name="feed_topic_atom",
    ),
    path(
        "authors/<slug:slug>/feed.rss",
        cache_for_anonymous(feeds.AuthorFeed(), query=()),
        name="feed_author_rss",
    ),
    path(
        "authors/<slug:slug>/feed.atom",
        cache_for_anonymous(feeds.AuthorAtomFeed(), query=()),
        name="feed_author_atom",
    ),
    path(
        "stories/<slug:slug>/feed.rss",
        cache_for_anonymous(feeds.StoryFeed(), query=()),
        name="feed_story_rss",
    ),
    path(
        "stories/<slug:slug>/feed.atom",
        cache_for_anonymous(feeds.StoryAtomFeed(), query=()),
        name="feed_story_atom",
    ),
    path(
        "search/feed.rss",
        cache_for_anonymous(query=["q", "source", "topic"])(feeds.SearchFeed()),
        name="feed_search_rss",
    ),
]
