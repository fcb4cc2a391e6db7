"""Whole-page cache for anonymous readers, kept fresh by a shared "content generation".

A reader without a session gets the page from the shared cache (Redis in production) with
no SQL at all. Every cached page remembers the generation it was rendered under; any
change readers could see (publish, edit, withdraw, a correction, a promo, an approved
comment...) calls `bump_generation()`, after which every older page counts as a miss. So
pages are fresh at once on every app server, without tracking which pages an article
appears on.

Pages also expire by themselves: after `PAGE_CACHE_TIMEOUT` seconds, and no later than the
next scheduled article's publication time (a scheduled article appears without any write).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import set_response_etag
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

GENERATION_KEY = "pages:generation"
SCHEDULE_KEY = "pages:next-scheduled"
PAGE_KEY_PREFIX = "pages:v1:"
# Response headers a cached page keeps; the rest (CSP, HSTS...) are added per response.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Last-Modified", "ETag")
# Cookies that mean "this visitor may see something personal": no shared page for them.
PERSONAL_COOKIES = ("messages",)


def _new_generation() -> int:
    # Time-based, so a generation recreated after an eviction or a Redis restart never
    # equals one that an old cached page carries.
    return time.time_ns() // 1000


class _LocalPages:
    """A small per-process copy of recently served pages and of the generation.

    The generation is re-read from the shared cache at most every
    PAGE_CACHE_LOCAL_SECONDS (0.5 s with Redis), so another server's change reaches this
    process within that time, and this process's own changes at once (bump_generation
    forgets the local copy). In between, a hit costs no network round trip at all.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: OrderedDict[str, dict] = OrderedDict()
        self.generation: int | None = None
        self.checked_at = 0.0

    def generation_if_fresh(self, seconds: float) -> int | None:
        if self.generation is not None and time.monotonic() - self.checked_at < seconds:
            return self.generation
        return None

    def remember_generation(self, generation: int) -> None:
        self.generation, self.checked_at = generation, time.monotonic()

    def get(self, key: str) -> dict | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def put(self, key: str, entry: dict, limit: int) -> None:
        with self.lock:
            self.pages[key] = entry
            self.pages.move_to_end(key)
            while len(self.pages) > limit:
                self.pages.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.generation = None


local_pages = _LocalPages()


def current_generation() -> int:
    """The generation pages are rendered under now (created on first use)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = _new_generation()
        if not cache.add(GENERATION_KEY, generation, timeout=None):
            generation = cache.get(GENERATION_KEY, generation)
    return generation


def bump_generation() -> None:
    """Make every cached page stale: call after any change that readers could see.

    Cheap (one INCR); safe to call inside or outside a transaction and when the cache is
    down. Called from signal receivers: articles/signals.py (articles, sources, topics,
    corrections, promos) and comments/signals.py (a decision that changes what readers see).
    """
    local_pages.clear()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet (first use, evicted, cache restarted)
        cache.set(GENERATION_KEY, _new_generation(), timeout=None)


def next_scheduled_change():
    """When something readers see next changes by itself (a scheduled article appears, a
    promo starts or ends), or None: asked of the content app through the
    `PAGE_CACHE_NEXT_CHANGE` setting, the dotted path of a function that takes no
    argument and returns an aware datetime or None. Called on a cache miss only."""
    path = getattr(settings, "PAGE_CACHE_NEXT_CHANGE", "")
    return import_string(path)() if path else None


def page_timeout() -> int:
    return int(getattr(settings, "PAGE_CACHE_TIMEOUT", 600))


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


def _page_key(request: HttpRequest) -> str:
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    raw = f"{request.get_host()}|{request.path}|{query}"
    return PAGE_KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _next_scheduled(generation: int, memo=None) -> float | None:
    """Unix time of the next scheduled change, memoised per generation in the cache."""
    now = time.time()
    if memo is None:
        memo = cache.get(SCHEDULE_KEY)
    if memo and memo[0] == generation and (memo[1] is None or memo[1] > now):
        return memo[1]
    upcoming = next_scheduled_change()
    at = upcoming.timestamp() if upcoming else None
    cache.set(SCHEDULE_KEY, (generation, at), timeout=page_timeout())
    return at


def content_version() -> str:
    """A token that changes whenever anything readers see may have changed.

    The generation, plus the next scheduled publication time (which changes once that
    time has passed). Template fragments shared by signed-in readers' pages use it in
    their `{% cache %}` keys, so they are exactly as fresh as whole cached pages.
    """
    found = cache.get_many([GENERATION_KEY, SCHEDULE_KEY])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = current_generation()
    return f"{generation}:{_next_scheduled(generation, found.get(SCHEDULE_KEY))}"


def _rebuild(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"].items():
        response[name] = value
    response["Content-Length"] = str(len(entry["content"]))
    response["X-Page-Cache"] = "hit"
    return response


def _is_current(entry: dict | None, generation: int) -> bool:
    return (
        entry is not None
        and entry["generation"] == generation
        and (entry["expires"] is None or entry["expires"] > time.time())
    )


def _lookup(request: HttpRequest) -> tuple[int, HttpResponse | None]:
    """(generation, cached response or None) for a cacheable request.

    From this process's memory when the generation was checked less than
    PAGE_CACHE_LOCAL_SECONDS ago, else one round trip to the shared cache.
    """
    key = _page_key(request)
    local_seconds = getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0)
    if local_seconds:
        generation = local_pages.generation_if_fresh(local_seconds)
        if generation is not None:
            entry = local_pages.get(key)
            if _is_current(entry, generation):
                return generation, _rebuild(entry)
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = current_generation()
    entry = found.get(key)
    if local_seconds:
        local_pages.remember_generation(generation)
    if _is_current(entry, generation):
        if local_seconds:
            local_pages.put(key, entry, getattr(settings, "PAGE_CACHE_LOCAL_ENTRIES", 500))
        return generation, _rebuild(entry)
    return generation, None


class PageCacheMiddleware:
    """Answer cache hits early, before sessions, CSRF, auth and messages middleware run.

    Placed after the middleware that add headers (security, CSP, X-Frame-Options,
    conditional GET), so hits get those too. Pages are stored by `cache_for_anonymous`
    on the views; this only serves them, and hands a miss's generation to the view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_cacheable_request(request):
            generation, hit = _lookup(request)
            if hit is not None:
                return hit
            request._page_cache_generation = generation
        return self.get_response(request)


def cache_for_anonymous(view):
    """Serve the view's page from the shared cache to readers who are not signed in.

    Only GET/HEAD without a session or messages cookie; only 200 responses that set no
    cookie and rendered no CSRF token are stored. A hit runs no view and no SQL (with
    `PageCacheMiddleware` installed it does not even reach the view's middleware).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _is_cacheable_request(request):
            return view(request, *args, **kwargs)
        # The generation is read *before* rendering: a change during rendering then
        # leaves this page already stale rather than cached as fresh.
        generation = getattr(request, "_page_cache_generation", None)
        if generation is None:
            generation, hit = _lookup(request)
            if hit is not None:
                return hit
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if not _is_cacheable_response(request, response):
            return response
        if not response.has_header("ETag"):
            set_response_etag(response)  # stored with the page: no hashing on a hit
        timeout = page_timeout()
        expires = _next_scheduled(generation)
        if expires is not None:
            timeout = max(1, min(timeout, int(expires - time.time()) + 1))
        entry = {
            "generation": generation,
            "expires": expires,
            "status": response.status_code,
            "content": response.content,
            "headers": {h: response[h] for h in KEPT_HEADERS if h in response},
        }
        cache.set(_page_key(request), entry, timeout=timeout)
        response["X-Page-Cache"] = "miss"
        return response

    return wrapped
