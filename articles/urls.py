from django.urls import path, re_path

from . import feeds, search, views
from .cache import cache_for_anonymous

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    re_path(r"^(?P<page>about|contact|privacy)/$", views.static_page, name="page"),
    path("search/", search.search_view, name="search"),
    # Feeds: cached whole for anonymous readers like the pages they mirror.
    path(
        "feeds/latest.rss",
        cache_for_anonymous(feeds.LatestArticlesFeed()),
        name="feed_latest_rss",
    ),
    path(
        "feeds/latest.atom",
        cache_for_anonymous(feeds.LatestArticlesAtomFeed()),
        name="feed_latest_atom",
    ),
    path(
        "sources/<slug:slug>/feed.rss",
        cache_for_anonymous(feeds.SourceFeed()),
        name="feed_source_rss",
    ),
    path(
        "sources/<slug:slug>/feed.atom",
        cache_for_anonymous(feeds.SourceAtomFeed()),
        name="feed_source_atom",
    ),
    path(
        "topics/<slug:slug>/feed.rss",
        cache_for_anonymous(feeds.TopicFeed()),
        name="feed_topic_rss",
    ),
    path(
        "topics/<slug:slug>/feed.atom",
        cache_for_anonymous(feeds.TopicAtomFeed()),
        name="feed_topic_atom",
    ),
]
