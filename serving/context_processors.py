"""What every page needs from the serving layer: the site name and the fragment cache key."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .cache import content_version


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        # For {% cache %} keys of fragments shared between readers (serving/cache.py).
        "content_version": SimpleLazyObject(content_version),
        "fragment_timeout": settings.PAGE_CACHE_TIMEOUT,
    }
