"""Template helpers for article pages and cards."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_UNITS = (
    (365 * 24 * 3600, "year"),
    (30 * 24 * 3600, "month"),
    (7 * 24 * 3600, "week"),
    (24 * 3600, "day"),
    (3600, "hour"),
    (60, "minute"),
)


@register.filter
def time_ago(value: datetime | None) -> str:
    """The time since `value` in one unit, as a reader says it: "2 hours ago"."""
    if not value:
        return ""
    seconds = (timezone.now() - value).total_seconds()
    if seconds < 60:
        return "just now"
    for size, name in _UNITS:
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {name}{'s' if n != 1 else ''} ago"
    return "just now"


@register.simple_tag(takes_context=True)
def article_sections(context, article) -> SafeString:
    """What other apps add under an article (the comments section): the hook's contract.

    Each dotted path in `ARTICLE_PAGE_SECTIONS` names a callable `(context, article) ->
    str`; it gets the page's template context (request, user, csrf_token, site_version
    and whatever the view passed) and returns HTML, printed in order. Plain strings are
    escaped; only a SafeString is printed as markup."""
    parts = [
        conditional_escape(import_string(path)(context, article))
        for path in getattr(settings, "ARTICLE_PAGE_SECTIONS", ())
    ]
    return mark_safe("".join(parts))  # each part escaped unless it was already safe


@register.simple_tag
def share_links(article) -> dict:
    """Plain share addresses (no third-party script loads): the article's address and
    (label, share url) pairs."""
    url = f"{settings.SITE_URL}{article.get_absolute_url()}"
    title = article.title
    links = [
        ("Email", f"mailto:?{urlencode({'subject': title, 'body': url}, quote_via=quote)}"),
        ("Bluesky", f"https://bsky.app/intent/compose?{urlencode({'text': f'{title} {url}'})}"),
        ("X", f"https://x.com/intent/post?{urlencode({'url': url, 'text': title})}"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?{urlencode({'u': url})}"),
        ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?{urlencode({'url': url})}"),
        ("WhatsApp", f"https://wa.me/?{urlencode({'text': f'{title} {url}'})}"),
    ]
    return {"url": url, "links": links}
