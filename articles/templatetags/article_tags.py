"""Template helpers for article pages and cards."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

from serving import tags as tag_versions
from serving.dependencies import instance_tags

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
def time_ago(value: datetime | None, now: datetime | None = None) -> str:
    """The time since `value` in one unit, as a reader says it: "2 hours ago". `now`:
    for a caller that asks for many at one moment (a list's cards)."""
    if not value:
        return ""
    seconds = ((now or timezone.now()) - value).total_seconds()
    if seconds < 60:
        return "just now"
    for size, name in _UNITS:
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {name}{'s' if n != 1 else ''} ago"
    return "just now"


@register.simple_tag
def card_items(articles, heading: str = "h3", loading: str = "lazy") -> SafeString:
    """A list's cards as <li> items, each kept in the fragments cache.

    A card's HTML is the same for as long as its article, source and agency are
    unchanged (their tags' versions), and it says the same "2 hours ago" and shows the
    same "and N other sources" line: all of that is in its key. Its comment count is a
    slot (serving/slots.py), filled for the whole page after it renders. Search results (a
    snippet, a marked title) are rendered each time. One round trip for the versions,
    one for the cards."""
    articles = [a for a in articles if a is not None]
    # What a card prints besides its time and comment count: the article and the rows
    # loaded with it (source, agency, picture).
    card_tags = {a.pk: sorted(instance_tags(a)) for a in articles}
    versions = tag_versions.versions({t for tags in card_tags.values() for t in tags})
    keys = {}
    for article in articles:
        if article.snippet or article.marked_title:
            continue
        found = [versions.get(t) for t in card_tags[article.pk]]
        if None in found:  # the shared cache cannot tell: render, keep nothing
            continue
        keys[article.pk] = "card:v2:" + ":".join(
            str(part)
            for part in (
                article.pk,
                heading,
                loading,
                ".".join(map(str, found)),
                time_ago(article.published_at).replace(" ", "-"),
                # Whether it shows its comment count (a slot, filled with the page's).
                getattr(article, "comment_count_slot", ""),
                # "and N other sources" (a card hook's): its story, sources and reports.
                ".".join(map(str, (article.more_coverage or {}).values())),
            )
        )
    fragments = caches["fragments"]
    cached = fragments.get_many(list(keys.values())) if keys else {}
    made, items = {}, []
    for article in articles:
        key = keys.get(article.pk)
        html = cached.get(key) if key else None
        if html is None:
            html = render_to_string(
                "includes/card.html",
                {"article": article, "heading": heading, "loading": loading},
            )
            if key:
                made[key] = html
        items.append(f"<li>{html}</li>")
    if made:
        fragments.set_many(made, settings.PAGE_CACHE_TIMEOUT)
    return mark_safe("".join(items))  # cards rendered by Django's escaping templates


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
