"""What every page needs from the serving layer: the site name and the fragments' timeout."""

from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        # {% fragment %} caches only where this is set and not 0 (an unsaved preview).
        "fragment_timeout": settings.PAGE_CACHE_TIMEOUT,
    }
