"""What every page needs from the serving layer: the site name and the fragment cache key."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .cache import tag_token


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        # For the {% cache %} keys of the header's topic navigation and the footer (its
        # app promo), shared by every page: fresh by the "site" and "promo" tags.
        "site_version": SimpleLazyObject(lambda: tag_token("site", "promo")),
        "fragment_timeout": settings.PAGE_CACHE_TIMEOUT,
    }
