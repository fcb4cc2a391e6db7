"""robots.txt: what crawlers may read, and where the sitemaps are."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from .metadata import absolute_url


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawl everything public; keep crawlers out of the admin, accounts and search."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        f"Disallow: {reverse('search:search')}",
        "",
        f"Sitemap: {absolute_url(reverse('syndication:sitemap_index'))}",
        f"Sitemap: {absolute_url(reverse('syndication:sitemap_news'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
