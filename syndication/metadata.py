"""What search engines and social sites read about a page: absolute URLs, canonical links,
OpenGraph images and schema.org JSON-LD."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Source
from serving.sites import absolute_url

# What django.utils.html.json_script escapes (its table is private): no "</script>" or
# "<!--" can close or confuse the element, whatever the data holds.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _organization(source: Source) -> dict:
    org = {"@type": "NewsMediaOrganization", "name": source.name}
    if source.homepage_url:
        org["url"] = source.homepage_url
    return org


def canonical_url(article: Article) -> str:
    """Republished copy points search engines at the original; our own copy at itself."""
    if article.is_house or not article.original_url:
        return absolute_url(article.get_absolute_url())
    return article.original_url


def image_url(article: Article) -> str:
    """The largest JPEG rendition, absolute, or "" when the article has no image."""
    jpeg = article.renditions.get("jpeg", [])
    if not jpeg:
        return ""
    return absolute_url(jpeg[-1][1])


def share_image_url(article: Article) -> str:
    """The social image's largest JPEG (else the lead image's), absolute, or ""."""
    jpeg = article.share_image[0].get("jpeg", [])
    return absolute_url(jpeg[-1][1]) if jpeg else ""


def news_article_data(article: Article) -> dict:
    """schema.org NewsArticle for the article page (no query: source/agency are joined)."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "mainEntityOfPage": absolute_url(article.get_absolute_url()),
        "url": absolute_url(article.get_absolute_url()),
        "datePublished": article.published_at,
        "dateModified": article.updated_at,
        "author": (
            {"@type": "Person", "name": article.byline}
            if article.byline
            else _organization(article.source)
        ),
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": absolute_url("/"),
        },
    }
    if article.summary:
        data["description"] = article.summary
    image = image_url(article)
    if image:
        data["image"] = [image]
    if article.is_republished:
        # The copy comes from elsewhere: say who made it and where it first appeared.
        data["sourceOrganization"] = _organization(article.agency or article.source)
        if article.original_url:
            data["isBasedOn"] = article.original_url
    return data


def json_ld(data: dict) -> SafeString:
    """`data` as JSON that is safe inside a <script> element (no "</script>" breakout)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # escaped just above
