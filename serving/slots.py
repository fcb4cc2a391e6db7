"""Slots: the small parts of a page (a card's comment count) filled in after it renders.

A template prints `{% page_slot "comment-count" article.pk %}`: a placeholder, not the value.
When the page has rendered, every placeholder is filled at once: each slot name's filler
(settings.PAGE_SLOTS, a dotted path: `filler(keys) -> {key: html}`, one query for all
of a page's keys) is called with the keys the page holds. So a cached fragment around a
card (the card itself, an article's related cards) does not depend on the count, and the
page cache keeps a page together with its placeholders: when the only tags of a page
that changed are those its fillers read (a comment approved on a card's article), the
page is filled again (one query) instead of rendered again (serving/page_store.py).

Placeholders carry a token derived from SECRET_KEY, so text a reader wrote can never be
taken for one; none reaches a reader (every HTML response is filled before it leaves:
`SlotMiddleware` for those the page cache does not store).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from contextlib import nullcontext
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

from . import dependencies

LOOSE_MARK = "~"
# What a slot's name and key may hold: what `fill` finds, and nothing that could end the
# HTML comment a placeholder is.
NAME = r"[a-z-]+"
KEY = r"[A-Za-z0-9_-]+"


@cache
def _token() -> str:
    return hmac.new(settings.SECRET_KEY.encode(), b"serving.slots", hashlib.sha256).hexdigest()[:20]


@cache
def _pattern() -> re.Pattern:
    return re.compile(f"<!--slot:{_token()}:({NAME}):({KEY}{LOOSE_MARK}?)-->")


def placeholder(name: str, key, *, loose: bool = False) -> SafeString:
    """What a template prints for the slot `name` of `key` (an id). A `loose` slot is
    filled as the rest of what it stands in was read (`dependencies.loosely()`: the
    page does not follow the lists its filler reads, such as an article's related cards'
    comment counts, which would otherwise make every approval refill every article page
    showing the article).

    ValueError for a name or key `fill` would not find: it would be printed as it is
    (marked safe) and never filled, showing the token."""
    key = str(key)
    if not (re.fullmatch(NAME, name) and re.fullmatch(KEY, key)):
        raise ValueError(f"a slot's name is {NAME} and its key {KEY}: {name!r}, {key!r}")
    mark = LOOSE_MARK if loose else ""
    return mark_safe(f"<!--slot:{_token()}:{name}:{key}{mark}-->")  # checked just above


def holds_slots(content: str) -> bool:
    return f"<!--slot:{_token()}:" in content


def fill(content: str) -> tuple[str, set[str]]:
    """(content with every placeholder filled, the tags the fillers read).

    The tags are recorded apart (the caller decides what depends on them) and also given
    to an enclosing recording, as any read is."""
    pattern = _pattern()
    wanted: dict[str, set[str]] = {}
    for name, key in pattern.findall(content):
        wanted.setdefault(name, set()).add(key)
    if not wanted:
        return content, set()
    fillers = getattr(settings, "PAGE_SLOTS", {})
    values: dict[tuple[str, str], str] = {}
    with dependencies.recording() as read:
        for name, keys in wanted.items():
            path = fillers.get(name)
            for loose in (False, True):
                chosen = sorted(
                    k.removesuffix(LOOSE_MARK) for k in keys if k.endswith(LOOSE_MARK) == loose
                )
                if not chosen or not path:
                    continue
                with dependencies.loosely() if loose else nullcontext():
                    found = import_string(path)(chosen)
                mark = LOOSE_MARK if loose else ""
                values.update(((name, f"{key}{mark}"), str(html)) for key, html in found.items())
    filled = pattern.sub(lambda m: values.get((m[1], m[2]), ""), content)
    return filled, {t for t in read if not t.startswith(dependencies.LOOSE)}


class SlotMiddleware:
    """Fills the slots of every HTML response the page cache did not already fill (pages
    for signed-in readers, errors, previews). Placed inside ConditionalGetMiddleware, so
    the ETag is the filled page's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or "X-Page-Cache" in response
        ):
            return response
        content = response.content.decode(response.charset)
        if holds_slots(content):
            response.content = fill(content)[0]
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            # A view's ETag is the unfilled page's, the same whatever the counts: the
            # filled page's is computed by ConditionalGetMiddleware.
            del response["ETag"]
        return response
