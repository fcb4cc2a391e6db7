"""Top-level URLs: wires the apps together, nothing more."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from articles import seo
from articles.sitemaps import SITEMAPS, news_sitemap, sitemap_index, sitemap_section

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("comments/", include("comments.urls")),
    path("", include("accounts.urls")),
    path("", include("articles.urls")),
    path("robots.txt", seo.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap_index, {"sitemaps": SITEMAPS}, name="sitemap_index"),
    path("sitemap-news.xml", news_sitemap, name="sitemap_news"),
    path(
        "sitemap-<section>.xml",
        sitemap_section,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]

# Error pages in the site's style; they render without touching the database.
handler400 = "newsroom.errors.bad_request"
handler403 = "newsroom.errors.permission_denied"
handler404 = "newsroom.errors.page_not_found"
handler500 = "newsroom.errors.server_error"

# Uploaded media. Behind a reverse proxy in production, MEDIA_ROOT is served by the proxy;
# SERVE_MEDIA keeps this view on for the single-machine set-up that `make run` gives.
if settings.DEBUG or getattr(settings, "SERVE_MEDIA", False):
    urlpatterns.append(
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
