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
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache, partial, wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver
from django.utils.http import quote_etag
from django.utils.module_loading import import_string

from . import dependencies, metrics, slots
from . import tags as tag_versions

logger = logging.getLogger(__name__)

SCHEDULE_KEY = "pages:next-scheduled"
PAGE_KEY_PREFIX = "pages:v2:"
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


class _LocalPages:
    """A per-process copy of recently served pages (most recent last), bounded by count
    (PAGE_CACHE_LOCAL_ENTRIES) and by size (PAGE_CACHE_LOCAL_MB).

    A copy is served only while the versions of its tags, as this process knows them
    (serving/tags.py: valid until the shared change counter says one of them changed),
    still match: then a hit costs no round trip for the page, and no unpickling.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: OrderedDict[str, dict] = OrderedDict()
        self.size = 0

    def get(self, key: str) -> dict | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def put(self, key: str, entry: dict, limit: int, max_bytes: int) -> None:
        with self.lock:
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= len(old["content"])
            self.pages[key] = entry
            self.size += len(entry["content"])
            while self.pages and (len(self.pages) > limit or self.size > max_bytes):
                _, dropped = self.pages.popitem(last=False)
                self.size -= len(dropped["content"])

    def clear(self) -> None:
        global _schedule_memo
        with self.lock:
            self.pages.clear()
            self.size = 0
        tag_versions.memo.clear()
        _schedule_memo = None


local_pages = _LocalPages()


def next_scheduled_change():
    """When something readers see next changes by itself (a scheduled article appears, a
    promo starts or ends), or None: asked of the content app through the
    `PAGE_CACHE_NEXT_CHANGE` setting, the dotted path of a function that takes no
    argument and returns an aware datetime or None. Called on a cache miss only."""
    path = getattr(settings, "PAGE_CACHE_NEXT_CHANGE", "")
    return import_string(path)() if path else None


def page_timeout() -> int:
    return int(getattr(settings, "PAGE_CACHE_TIMEOUT", 600))


def _grace() -> float:
    return float(getattr(settings, "PAGE_CACHE_GRACE_SECONDS", 5))


def _settle() -> float:
    return float(getattr(settings, "PAGE_CACHE_SETTLE_SECONDS", 1))


def _clock_margin() -> float:
    return float(getattr(settings, "PAGE_CACHE_CLOCK_MARGIN", 0.05))


_schedule_memo: tuple[frozenset, str, float | None] | None = None


def _next_scheduled() -> float | None:
    """Unix time of the next scheduled change, remembered (in the shared cache, and in
    this process) until one of the lists the lookup read changes or that time passes."""
    global _schedule_memo
    now = time.time()
    for memo in (_schedule_memo, None):
        if memo is None:
            memo = cache.get(SCHEDULE_KEY)
        if not memo or len(memo) != 3 or (memo[2] is not None and memo[2] <= now):
            continue
        if tag_versions.token(memo[0]) == memo[1]:
            _schedule_memo = memo
            return memo[2]
    with dependencies.recording(isolated=True) as read:
        upcoming = next_scheduled_change()
    at = upcoming.timestamp() if upcoming else None
    _schedule_memo = (frozenset(read), tag_versions.token(read), at)
    cache.set(SCHEDULE_KEY, _schedule_memo, timeout=page_timeout())
    return at


def next_scheduled() -> float | None:
    """When the next scheduled change is due (unix time), for fragments that list rows."""
    return _next_scheduled()


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


def _is_current(entry: dict, found: dict) -> bool:
    if any(found.get(t) != v for t, v in entry["tags"].items()):
        return False
    return entry["fresh_until"] > time.time()


def _lookup(key: str) -> tuple[dict | None, bool]:
    """(cached entry or None, whether it is current) for a page key.

    From this process's memory while its tags' versions are known here, else one round
    trip for the page and its tags' versions together (two the first time this process
    sees the page)."""
    entries = getattr(settings, "PAGE_CACHE_LOCAL_ENTRIES", 2000)
    local = local_pages.get(key) if entries else None
    if local is not None:
        # Checked by the epoch, or against the few tags that changed since the epoch it
        # was last found current under (a comment approved moves every process's epoch;
        # walking a page's dozens of tags cost 10-22 µs a hit), else tag by tag.
        epoch = tag_versions.epoch()
        # A page carrying a tag this thread changed in a transaction not yet committed is
        # checked tag by tag (its versions differ for this thread alone), and never
        # marked current under an epoch other threads share.
        shared = local["tags"].keys().isdisjoint(tag_versions.pending())
        if shared and local["fresh_until"] > time.time():
            if local.get("epoch") == epoch:
                return local, True
            changed = tag_versions.changed_since(local.get("epoch"))
            if changed is not None and local["tags"].keys().isdisjoint(changed):
                local["epoch"] = epoch
                return local, True
        found, _ = tag_versions.read(local["tags"])
        if _is_current(local, found):
            if shared:
                local["epoch"] = epoch
            return local, True
    found, extra = tag_versions.read(local["tags"] if local else (), key)
    entry = extra.get(key)
    if entry is None:
        return None, False
    if local is None or entry["tags"].keys() != local["tags"].keys():
        found, _ = tag_versions.read(entry["tags"])
    current = _is_current(entry, found)
    if current and entries:
        max_bytes = int(getattr(settings, "PAGE_CACHE_LOCAL_MB", 64)) * 2**20
        local_pages.put(key, entry, entries, max_bytes)
    return entry, current


def _shared_headers(entry: dict, *, stale: bool = False) -> dict[str, str]:
    """Cache-Control for browsers (max-age) and shared caches (s-maxage), unless the view
    chose its own, and the tags."""
    keys = entry.get("keys") or " ".join(sorted(entry["tags"]))
    headers = {"Surrogate-Key": keys, "xkey": keys}
    if entry.get("cache_control"):
        headers["Cache-Control"] = entry["cache_control"]
        return headers
    s_maxage = int(getattr(settings, "PAGE_CACHE_S_MAXAGE", page_timeout()))
    s_maxage = min(s_maxage, int(entry["fresh_until"] - time.time()))
    max_age = int(getattr(settings, "PAGE_CACHE_MAX_AGE", 0))
    if stale:
        max_age, s_maxage = 0, 1
    s_maxage = max(s_maxage, 1)
    headers["Cache-Control"] = f"public, max-age={min(max_age, s_maxage)}, s-maxage={s_maxage}"
    return headers


def _rebuild(entry: dict, state: str, *, count: bool = True) -> HttpResponse:
    """The stored page as a response: its headers given all at once (set one by one they
    were a third of the page cache's own time on a hit)."""
    if count:
        metrics.page_cache("hit")
    content = entry["content"]
    headers = {
        **entry["headers"],
        "Content-Length": str(len(content)),
        "X-Page-Cache": state,
        **_shared_headers(entry, stale=state == "stale"),
    }
    return HttpResponse(content, status=entry["status"], headers=headers)


class _Miss:
    """What the lookup found for a request that must render: the key, whether this
    request holds the page's render lock (to release once stored), the versions of the
    stale copy's tags as they were before the render read anything (`seen`), and the
    stale copy when only its slots changed (`refill`: fill it again, no render)."""

    def __init__(
        self, key: str, locked: bool, seen: dict | None = None, refill: dict | None = None
    ) -> None:
        self.key, self.locked, self.seen, self.refill = key, locked, seen or {}, refill


def _serve(request: HttpRequest, view) -> HttpResponse | _Miss:
    """A cached (or, during another request's render, stale) response, or a _Miss."""
    key = _page_key(request, getattr(view, "page_cache_query", None))
    entry, current = _lookup(key)
    if entry is None:
        return _Miss(key, locked=False)
    if current:
        return _rebuild(entry, "hit")
    # Stale: one request renders (the lock), the others keep the old copy meanwhile.
    if cache.add(LOCK_KEY_PREFIX + key, 1, timeout=_grace()):
        # From this process's memory: what _lookup just read.
        seen = tag_versions.versions(entry["tags"])
        return _Miss(key, locked=True, seen=seen, refill=_refillable(entry, seen))
    return _rebuild(entry, "stale")


def _refillable(entry: dict, seen: dict) -> dict | None:
    """The stale entry, when what changed since it was stored is only what its slots read
    (a comment count on one of its cards) and it is not past its time: its slots can be
    filled again instead of the page rendered again (serving/slots.py)."""
    slot_tags = entry.get("slot_tags")
    if not slot_tags or entry["fresh_until"] <= time.time():
        return None
    changed = {t for t, v in entry["tags"].items() if seen.get(t) != v}
    return entry if changed and changed <= slot_tags else None


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
                return _refill_and_store(miss)
            return _render_and_store(request, view, miss, static_tags, args, kwargs)
        finally:
            if miss.locked:
                cache.delete(LOCK_KEY_PREFIX + miss.key)

    wrapped.page_cache = True
    wrapped.page_cache_query = query
    return wrapped


def _render_and_store(request, view, miss: _Miss, static_tags, args, kwargs) -> HttpResponse:
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
            raw, slot_tags = content, slot_read - page_tags
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
    entry = _store(miss, page, page_tags, started)
    if entry is None:
        return response
    if not response.has_header("ETag"):
        response["ETag"] = entry["headers"]["ETag"]
    for name, value in _shared_headers(entry).items():
        response[name] = value
    response["X-Page-Cache"] = "miss"
    return response


def _refill_and_store(miss: _Miss) -> HttpResponse:
    """The stale page with its slots filled again (`_refillable`): the render's own tags
    are unchanged, so the page around the slots is what a render would give."""
    metrics.page_cache("refill")
    started = time.time()
    old = miss.refill
    content, slot_read = slots.fill(old["raw"])
    page_tags = (set(old["tags"]) - old["slot_tags"]) | slot_read
    page = {
        "status": old["status"],
        "content": content.encode(),
        "headers": {h: v for h, v in old["headers"].items() if h != "ETag"},
        "cache_control": old["cache_control"],
        "etag": "",
        "raw": old["raw"],
        "slot_tags": slot_read - (set(old["tags"]) - old["slot_tags"]),
    }
    # The page around the slots is as old as its render: kept no longer than it was.
    entry = _store(miss, page, page_tags, started, not_after=old["fresh_until"])
    if entry is None:  # the shared cache cannot tell versions: serve it, keep nothing
        return HttpResponse(page["content"], status=page["status"], headers=page["headers"])
    return _rebuild(entry, "refill", count=False)


def _store(
    miss: _Miss, page: dict, page_tags: set[str], started: float, not_after: float | None = None
) -> dict | None:
    """Keep `page` under the miss's key with the versions of `page_tags`, fresh until
    `not_after` at the latest; the entry, or None when the shared cache cannot tell
    versions (then nothing is kept)."""
    found = tag_versions.versions(page_tags)
    if any(v is None for v in found.values()):
        return None
    # A tag bumped after this render started (its versions are read only now) may mean
    # the page holds the state from before that change: a write commits, then bumps. Keep
    # such a page only briefly, for shared caches too. The margin covers the clocks of
    # different app servers (a version is the bumping server's time). But a version this
    # request had seen before the render read anything (the stale copy's, or one given
    # by the same bump to another of its tags: one version per bump) was published after
    # its write committed (serving.tags.bump_tags), so the render read that write: the
    # page rendered just after a comment's approval is kept, not rendered again 1 s later.
    scheduled = _next_scheduled()
    fresh_until = time.time() + page_timeout()
    for limit in (scheduled, not_after):
        if limit is not None:
            fresh_until = min(fresh_until, limit)
    since = started - _clock_margin()
    seen, seen_versions = miss.seen, set(miss.seen.values())

    def unsettled(tag: str, version: int) -> bool:
        if seen.get(tag, version) != version:
            return True  # bumped while the page rendered
        return (
            tag not in seen
            and version not in seen_versions
            and tag_versions.bumped_at(version) >= since
        )

    if any(unsettled(t, v) for t, v in found.items()):
        fresh_until = min(fresh_until, time.time() + _settle())
    # Stored with the page: no hashing on a hit.
    etag = page["etag"] or quote_etag(
        hashlib.md5(page["content"], usedforsecurity=False).hexdigest()
    )
    entry = {
        "tags": found,
        "keys": " ".join(sorted(found)),  # the Surrogate-Key header, joined once
        "fresh_until": fresh_until,
        "status": page["status"],
        "content": page["content"],
        "headers": {**page["headers"], "ETag": etag},
        "cache_control": page["cache_control"],
    }
    if page["raw"] is not None:
        entry["raw"], entry["slot_tags"] = page["raw"], frozenset(page["slot_tags"])
    # Kept past its freshness for the grace period, so a stale copy can be served while
    # one request renders the new one.
    cache.set(miss.key, entry, timeout=page_timeout() + int(_grace()))
    return entry
