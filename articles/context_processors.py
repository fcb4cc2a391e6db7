"""What every page's header and footer need from the content: topic navigation, app block."""

from django.utils.functional import SimpleLazyObject

from .selectors import app_promo, navigation_topics


def navigation(request):
    # Lazy, so pages that never render the header (admin, feeds) pay no query.
    return {
        "nav_topics": SimpleLazyObject(lambda: list(navigation_topics())),
        "nav_current": current_topic_path(request),
        "app_promo": SimpleLazyObject(app_promo),
    }


def current_topic_path(request) -> str:
    """The path the topic navigation marks current: a topic page's own, else "" (no
    other page is one of its links). The navigation fragment is keyed by it, so every
    other page (home, articles, search, a reader's pages) shares one, built once: keyed
    by the path, each article and the Following page built their own, a query each."""
    match = getattr(request, "resolver_match", None)
    return request.path if match is not None and match.view_name == "articles:topic" else ""
