"""Top-level URLs: wires the apps together, nothing more."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from accounts.urls import headless_specification

# The admin's page list sidebar takes a quarter of a 1280 px screen from the article list;
# the breadcrumbs and the index page already lead everywhere.
admin.site.enable_nav_sidebar = False
admin.site.site_title = admin.site.site_header = settings.SITE_NAME

urlpatterns = [
    path("", include("serving.urls")),  # /healthz, /readyz, /metrics
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("comments/", include("comments.urls")),
    path("api/", include("api.urls")),
    *(
        [path("_allauth/", include(headless_specification))]
        if settings.HEADLESS_SERVE_SPECIFICATION
        else []
    ),
    path("_allauth/", include("allauth.headless.urls")),
    path("", include("accounts.urls")),
    path("", include("search.urls")),
    path("", include("syndication.urls")),
    path("", include("articles.urls")),
    path("demo/", include("demo.urls")),  # a 404 unless DEMO_FEED is on
    path("", include("stories.urls")),
    path("", include("following.urls")),
]

# Error pages in the site's style; they render without touching the database.
handler400 = "serving.errors.bad_request"
handler403 = "serving.errors.permission_denied"
handler404 = "serving.errors.page_not_found"
handler500 = "serving.errors.server_error"

# Uploaded media. Behind a reverse proxy in production, MEDIA_ROOT is served by the proxy;
# SERVE_MEDIA keeps this view on for the single-machine set-up that `make run` gives.
if settings.DEBUG or settings.SERVE_MEDIA:
    urlpatterns.append(
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
