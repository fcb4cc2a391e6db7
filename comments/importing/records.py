"""What every export is turned into before it is stored."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import nh3

from comments.models import Status


@dataclass(frozen=True)
class Origin:
    """The site an export comes from (WordPress's base site URL, Disqus's forum): comment
    ids are unique only within it."""

    value: str


def normalise_origin(value: str) -> str:
    """One spelling per site: a URL's host (without "www.") and path, lower-case, no
    scheme and no final slash; any other name (a Disqus forum) lower-case."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme and parts.netloc:
        host = parts.netloc.lower().removeprefix("www.")
        value = f"{host}{parts.path.rstrip('/')}"
    return value.lower()[:200]


@dataclass(frozen=True)
class Thread:
    """An article of the old site: its key in the export and its address there."""

    key: str
    url: str
    title: str = ""


@dataclass(frozen=True)
class Entry:
    """One comment as the export has it."""

    external_id: str
    thread_key: str
    parent_id: str  # "" for a top-level comment
    body_html: str
    created_at: datetime
    status: str
    author_name: str
    author_email: str


class ExportError(Exception):
    """The export cannot be read (malformed XML, a DTD, a missing file)."""


# WordPress's comment_approved and Disqus's flags, to our statuses.
WORDPRESS_STATUS = {
    "1": Status.APPROVED,
    "approve": Status.APPROVED,
    "0": Status.PENDING,
    "hold": Status.PENDING,
    "spam": Status.SPAM,
    "trash": Status.REJECTED,
    "post-trashed": Status.REJECTED,
}

_LINK = re.compile(r"""<a\s[^>]*?href\s*=\s*["']([^"']+)["'][^>]*>(.*?)</a\s*>""", re.I | re.S)
_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|li|blockquote|h[1-6])\s*>", re.I)


def plain_text(body_html: str) -> str:
    """The plain text comments are stored as: tags dropped, a link's address kept after
    its words, paragraphs and line breaks kept, entities decoded (the page escapes it)."""

    def link(match: re.Match) -> str:
        href, label = match.group(1).strip(), match.group(2)
        words = nh3.clean(label, tags=set()).strip()
        return href if not words or words == href else f"{label} ({href})"

    text = _LINK.sub(link, body_html or "")
    text = _BREAK.sub("\n", text)
    text = html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
