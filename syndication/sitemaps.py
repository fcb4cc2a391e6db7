"""sitemap.xml (an index over articles, sources and topics) and the Google News sitemap.

URLs are built on SITE_URL rather than the sites framework's Site row or the request's
Host, like the feeds and the page metadata.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from articles.models import Article, Source, Topic
from serving.cache import cache_for_anonymous
from serving.xmltext import xml_text

from .metadata import absolute_url

NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000  # Google's maximum per news sitemap


class SiteUrlSitemap(Sitemap):
    """A Sitemap whose domain and scheme come from SITE_URL."""

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"


class ArticleSitemap(SiteUrlSitemap):
    limit = 5000

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, item: Article):
        return item.updated_at


class SourceSitemap(SiteUrlSitemap):
    changefreq = "hourly"

    def items(self):
        return Source.objects.only("slug")


class TopicSitemap(SiteUrlSitemap):
    changefreq = "hourly"

    def items(self):
        return Topic.objects.only("slug")


SITEMAPS = {"articles": ArticleSitemap, "sources": SourceSitemap, "topics": TopicSitemap}


@require_safe
@cache_for_anonymous(query=())
def sitemap_index(request: HttpRequest, sitemaps: dict) -> HttpResponse:
    """The index: one entry per page of each section."""
    entries = []
    for section, cls in sitemaps.items():
        url = absolute_url(reverse("syndication:sitemap_section", kwargs={"section": section}))
        for number in cls().paginator.page_range:
            entries.append(url if number == 1 else f"{url}?p={number}")
    return render(
        request, "sitemaps/index.xml", {"entries": entries}, content_type="application/xml"
    )


@require_safe
@cache_for_anonymous(query=["p"])
def sitemap_section(request: HttpRequest, sitemaps: dict, section: str) -> HttpResponse:
    return sitemap(request, sitemaps, section=section)


@require_safe
@cache_for_anonymous(query=())
def news_sitemap(request: HttpRequest) -> HttpResponse:
    """Google News sitemap: articles published in the last two days."""
    since = timezone.now() - NEWS_WINDOW
    articles = (
        Article.objects.published()
        .filter(published_at__gte=since)
        .only("slug", "title", "published_at")
        .order_by("-published_at")[:NEWS_LIMIT]
    )
    # A control character an editor pasted into a headline: XML 1.0 cannot hold it.
    entries = [(absolute_url(a.get_absolute_url()), xml_text(a.title), a) for a in articles]
    return render(
        request,
        "sitemaps/news.xml",
        {
            "entries": entries,
            "publication": xml_text(settings.SITE_NAME),
            "language": settings.LANGUAGE_CODE.split("-")[0],
        },
        content_type="application/xml",
    )
