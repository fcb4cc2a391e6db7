"""`{% article_meta article %}`: canonical link, robots, OpenGraph, Twitter card, JSON-LD."""

from django import template
from django.conf import settings

from syndication import metadata as seo

register = template.Library()


@register.inclusion_tag("syndication/includes/article_meta.html")
def article_meta(article):
    """Head tags for an article page; needs `article.source` and `.agency` joined."""
    return {
        "article": article,
        "canonical": seo.canonical_url(article),
        "self_url": seo.absolute_url(article.get_absolute_url()),
        "image": seo.share_image_url(article),
        "image_alt": article.share_image[1],
        "noindex": article.source.noindex,
        "json_ld": seo.json_ld(seo.news_article_data(article)),
        "site_name": settings.SITE_NAME,
    }


@register.inclusion_tag("syndication/includes/feed_link.html")
def feed_link(href: str, label: str) -> dict:
    """A plain, visible "RSS" link to a list's feed (the <link rel="alternate"> in the
    head is for machines; readers look for a link)."""
    return {"href": href, "label": label}
