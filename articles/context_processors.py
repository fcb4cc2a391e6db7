"""What every page's header and footer need from the content: topic navigation, app block."""

from django.utils.functional import SimpleLazyObject

from .selectors import app_promo, navigation_topics


def navigation(request):
    # Lazy, so pages that never render the header (admin, feeds) pay no query.
    return {
        "nav_topics": SimpleLazyObject(lambda: list(navigation_topics())),
        "app_promo": SimpleLazyObject(app_promo),
    }
