"""Whole-page cache for anonymous readers, kept fresh by dependency tags.

A reader without a session gets the page from the shared cache (Redis in production) with
no SQL at all. Each cached page records the tags it was built from (`tag()`, plus the
decorator's own) and their versions (serving/tags.py); a write bumps only the tags it
changes (`serving.tags.bump_tags()`), and a page is fresh only while all its tags are unchanged.

When a page goes stale, one request renders it (a short lock per page in the shared
cache) while the others get the previous copy for up to PAGE_CACHE_GRACE_SECONDS: no
dogpile of renders of a popular page. Cacheable pages say so to HTTP caches
(`Cache-Control: public`, `Surrogate-Key`, `xkey`); after a write commits, its tags are
purged from the caches in PURGE_URLS (serving/purge.py).

Pages also expire by themselves: after PAGE_CACHE_TIMEOUT seconds, and no later than the
next scheduled change (a scheduled article appears without any write).

This module decides which requests and responses take part, and renders a page on a miss;
how a page is kept, found and filled again is serving/page_store.py's.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from functools import lru_cache, partial, wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver

from . import dependencies, metrics, slots
from . import tags as tag_versions
from .page_store import (
    Miss,
    grace_seconds,
    lookup,
    pack_raw,
    rebuild,
    refill_and_store,
    refillable,
    shared_headers,
    store,
)

logger = logging.getLogger(__name__)

PAGE_KEY_PREFIX = "pages:v3:"  # v3: the unfilled page kept compressed (page_store)
LOCK_KEY_PREFIX = "pages:lock:"
# Response headers a cached page keeps; the rest (CSP, HSTS...) are added per response.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Last-Modified", "ETag")
# Cookies that mean "this visitor may see something personal": no shared page for them.
PERSONAL_COOKIES = ("messages",)


def tag(request: HttpRequest, *tags: str) -> None:
    """Declare by hand what the page being rendered for `request` is built from, for what
    is no model read (a setting, a file). Model reads record their own tags
    (serving/dependencies.py). Harmless on pages that are not cached."""
    found = request.__dict__.setdefault("_cache_tags", set())
    found.update(t for t in tags if t)
    dependencies.record(*tags)


def tag_token(*tags: str, record: bool = True) -> str:
    """A key part for a fragment built from `tags`: changes whenever one of them does.
    `{% cache timeout name object.pk token using="fragments" %}` with the token in the
    context; such keys never change meaning, so the fragments alias keeps them locally.

    The page being built depends on them too (a cached fragment reads nothing itself);
    `record=False` for a key that is only a lookup's superset (the page records what the
    lookup returned instead)."""
    if record:
        dependencies.record(*tags)
    return tag_versions.token(tags)


def _is_cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if not getattr(settings, "PAGE_CACHE_ENABLED", True):
        return False
    cookies = request.COOKIES
    # No session cookie means no signed-in user, so `request.user` is never touched (that
    # would be a query) and the page cannot hold anything personal.
    if settings.SESSION_COOKIE_NAME in cookies:
        return False
    return not any(name in cookies for name in PERSONAL_COOKIES)


def _is_cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    # A page that rendered a CSRF token carries a per-visitor secret: never share it.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    if getattr(request, "session", None) is not None and request.session.modified:
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def _page_key(request: HttpRequest, query: Iterable[str] | None) -> str:
    """The page's key: everything a page is built from. Not the scheme or Host: every
    absolute link is built on SITE_URL (serving.sites.absolute_url), so a made-up Host port
    or scheme shares the canonical page instead of forcing a render. The script prefix is
    kept apart from the path (a forged SCRIPT_NAME never lands on another page's key), and
    only the query parameters the view reads count, so a made-up `?utm_x=1` shares the
    canonical page too (`_read_params_only` makes sure the view sees no others). A view
    that does not say which it reads (`query=None`) is keyed by all of them."""
    params = ""
    # Without a query string (nearly every hit) the parameters are not even parsed.
    if request.META.get("QUERY_STRING") or "GET" in request.__dict__:
        if query is None:
            pairs = sorted(request.GET.lists())
            pairs = [(name, value) for name, values in pairs for value in values]
        else:
            pairs = sorted((name, v) for name in query for v in request.GET.getlist(name))
        params = urlencode(pairs)
    return _hashed_key(request.META.get("SCRIPT_NAME", ""), request.path_info, params)


@lru_cache(maxsize=4096)
def _hashed_key(script: str, path: str, params: str) -> str:
    """Hashing was a fifth of the page cache's own time on a hit: remembered (a bounded
    LRU, so made-up paths cannot grow it)."""
    raw = f"{script}|{path}|{params}"
    return PAGE_KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _read_params_only(request: HttpRequest, query: tuple[str, ...]) -> None:
    """Drop the query parameters the view does not read before it renders a page to
    store: the page is then exactly the one its key names, and nothing else in the URL
    (a `?next=` or a script in a parameter echoed by `get_full_path()`) can reach a
    copy served to everyone."""
    if all(name in query for name in request.GET):
        return
    kept = request.GET.copy()
    for name in list(kept):
        if name not in query:
            del kept[name]
    request.GET = kept
    request.META["QUERY_STRING"] = kept.urlencode()


def _serve(request: HttpRequest, view) -> HttpResponse | Miss:
    """A cached (or, during another request's render, stale) response, or a Miss."""
    key = _page_key(request, getattr(view, "page_cache_query", None))
    entry, current = lookup(key)
    if entry is None:
        return Miss(key, locked=False)
    if current:
        return rebuild(entry, "hit")
    # Stale: one request renders (the lock), the others keep the old copy meanwhile.
    if cache.add(LOCK_KEY_PREFIX + key, 1, timeout=grace_seconds()):
        # From this process's memory: what lookup just read.
        seen = tag_versions.versions(entry["tags"])
        return Miss(key, locked=True, seen=seen, refill=refillable(entry, seen))
    return rebuild(entry, "stale")


def _cached_view(request: HttpRequest):
    """The resolved cache_for_anonymous view the request goes to, or None. The URLconf
    is the request's own or the setting's, as Django's handler chooses it (reading the
    current one back, `get_urlconf()`, costs a context-local lookup on every request)."""
    return _page_cache_view(get_resolver(getattr(request, "urlconf", None)), request.path_info)


@lru_cache(maxsize=4096)
def _page_cache_view(resolver, path: str):
    """Resolving a path was a third of a cache hit's time: remembered per path (a bounded
    LRU, so made-up paths cannot grow it; a new URLconf is a new resolver, a new key)."""
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return None
    return match if getattr(match.func, "page_cache", False) else None


class PageCacheMiddleware:
    """Answer cache hits early, before sessions, CSRF, auth and messages middleware run.

    Placed after the middleware that add headers (security, CSP, X-Frame-Options,
    conditional GET), so hits get those too. Pages are stored by `cache_for_anonymous`
    on the views; this only serves them (for the views so decorated), and hands a miss to
    the view. Responses to a visitor with a session, or that set a cookie, are marked
    `private, no-store` unless the view said otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_cacheable_request(request):
            match = _cached_view(request)
            if match is not None:
                found = _serve(request, match.func)
                if isinstance(found, HttpResponse):
                    request.resolver_match = match  # names the view in the metrics
                    return found
                request._page_cache_miss = found
        response = self.get_response(request)
        personal = settings.SESSION_COOKIE_NAME in request.COOKIES or response.cookies
        if personal and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


# `query=EVERY_PARAMETER`: the view reads parameters it cannot list (the API's schemas).
EVERY_PARAMETER = None
_UNSAID = object()


def cache_for_anonymous(view=None, *, tags: Iterable[str] = (), query=_UNSAID):
    """Serve the view's page from the shared cache to readers who are not signed in.

    `tags`: hand-declared tags every page of this view carries, for what is no model read
    (model reads record their own: serving/dependencies.py); `query` (required, so no view
    forgets it): the query parameters the view reads, the only ones in the cache key and
    the only ones the view sees (`()`: none; `EVERY_PARAMETER`: all, in sorted order). A
    `Cache-Control` the view sets itself is kept (the API's `public, no-cache`). Only
    GET/HEAD without a session or messages cookie; only 200 responses that set no cookie
    and rendered no CSRF token are stored. A hit runs no view and no SQL (with
    `PageCacheMiddleware` installed it does not even reach the view's middleware). Used as
    `@cache_for_anonymous(query=...)` or `cache_for_anonymous(view, query=...)`.
    """
    if query is _UNSAID:
        raise TypeError("cache_for_anonymous needs query=: the parameters the view reads")
    if view is None:
        return partial(cache_for_anonymous, tags=tags, query=query)
    static_tags = frozenset(tags)
    query = None if query is None else tuple(query)

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _is_cacheable_request(request):
            return view(request, *args, **kwargs)
        miss = request.__dict__.pop("_page_cache_miss", None)
        if miss is None:  # no middleware (or a view called directly)
            found = _serve(request, wrapped)
            if isinstance(found, HttpResponse):
                return found
            miss = found
        if query is not None:
            _read_params_only(request, query)
        try:
            if miss.refill is not None:
                return refill_and_store(miss)
            return _render_and_store(request, view, miss, static_tags, args, kwargs)
        finally:
            if miss.locked:
                cache.delete(LOCK_KEY_PREFIX + miss.key)

    wrapped.page_cache = True
    wrapped.page_cache_query = query
    return wrapped


def _render_and_store(request, view, miss: Miss, static_tags, args, kwargs) -> HttpResponse:
    metrics.page_cache("miss")
    started = time.time()
    with dependencies.recording() as read:
        tag(request, *static_tags)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
    if not _is_cacheable_response(request, response):
        return response  # its slots are filled on the way out (slots.SlotMiddleware)
    page_tags = {t for t in read if not t.startswith(dependencies.LOOSE)}
    page_tags |= request.__dict__.get("_cache_tags", set())
    raw, slot_tags = None, set()
    if response.get("Content-Type", "").startswith("text/html"):
        content = response.content.decode(response.charset)
        if slots.holds_slots(content):
            filled, slot_read = slots.fill(content)
            response.content = filled
            del response["ETag"]  # the view's is the unfilled page's: the filled one's below
            # What only the slots read: a change there alone is a fill, not a render.
            raw, slot_tags = pack_raw(content), slot_read - page_tags
            page_tags |= slot_read
    page = {
        "status": response.status_code,
        "content": response.content,
        "headers": {h: response[h] for h in KEPT_HEADERS if h in response and h != "ETag"},
        "cache_control": response.get("Cache-Control", ""),
        "etag": response.get("ETag", ""),
        "raw": raw,
        "slot_tags": slot_tags,
    }
    entry = store(miss, page, page_tags, started)
    if entry is None:
        return response
    if not response.has_header("ETag"):
        response["ETag"] = entry["headers"]["ETag"]
    for name, value in shared_headers(entry).items():
        response[name] = value
    response["X-Page-Cache"] = "miss"
    return response
