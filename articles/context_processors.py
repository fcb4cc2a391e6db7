"""What every page's header and footer need: the site name, topic navigation, app block."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .cache import content_version
from .selectors import app_promo, navigation_topics


def site(request):
    # Lazy, so pages that never render the header (admin, feeds) pay no query.
    return {
        "SITE_NAME": settings.SITE_NAME,
        "nav_topics": SimpleLazyObject(lambda: list(navigation_topics())),
        "app_promo": SimpleLazyObject(app_promo),
        # For {% cache %} keys of fragments shared between readers (articles/cache.py).
        "content_version": SimpleLazyObject(content_version),
        "fragment_timeout": settings.PAGE_CACHE_TIMEOUT,
    }
