"""An article body as readers get it, rendered once when the article is saved.

The editor stores plain, sanitized HTML (articles/sanitize.py). Two of its blocks are
dressed up for readers here:

- an inline image from the library, `<img data-file="<image id>" ...>`, becomes a
  `<picture>` with AVIF/WebP/JPEG renditions and the library's alt text when the editor
  left it empty;
- an embed block, `<div class="embed"><a href="URL">...</a></div>`, becomes a plain link
  card (the page's host name and address): no third-party script or frame ever loads.

Everything inserted comes from our own database through format_html, so it is escaped.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

IMG = re.compile(r"<img\b[^>]*>")
FILE_ATTR = re.compile(r'\bdata-file="(\d+)"')
ALT_ATTR = re.compile(r'\balt="([^"]*)"')
EMBED = re.compile(r'<div class="embed"><a href="([^"]+)"[^>]*>.*?</a></div>', re.S)
SIZES = "(min-width: 760px) 760px, 100vw"


def library_ids(html: str) -> set[int]:
    """Ids of the library images a body uses."""
    return {int(m.group(1)) for tag in IMG.findall(html) if (m := FILE_ATTR.search(tag))}


def _picture(tag: str, images: dict) -> str:
    m = FILE_ATTR.search(tag)
    image = images.get(int(m.group(1))) if m else None
    if image is None or not image.renditions:
        return tag
    alt_match = ALT_ATTR.search(tag)
    # The attribute is already escaped by nh3: unescape nothing, print as is.
    alt = mark_safe(alt_match.group(1)) if alt_match and alt_match.group(1) else image.alt_text
    sources = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        ((mime, srcset, SIZES) for mime, srcset in image.sources),
    )
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" height="{}" '
        'loading="lazy" decoding="async"></picture>',
        sources,
        image.fallback_url,
        image.srcset("jpeg"),
        SIZES,
        alt,
        image.renditions.get("width", ""),
        image.renditions.get("height", ""),
    )


def _card(match: re.Match) -> str:
    url = match.group(1)  # escaped by nh3 already
    host = urlsplit(url.replace("&amp;", "&")).hostname or url
    return format_html(
        '<div class="embed"><a class="embed-card" href="{}" rel="noopener noreferrer nofollow">'
        '<span class="embed-card__host">{}</span><span class="embed-card__url">{}</span>'
        "</a></div>",
        mark_safe(url),
        host.removeprefix("www."),
        mark_safe(url),
    )


def render_body(html: str, images: dict) -> str:
    """The reader's HTML for a sanitized body; `images` maps library ids to Images."""
    if not html:
        return ""
    html = IMG.sub(lambda m: _picture(m.group(0), images), html)
    return EMBED.sub(_card, html)
