"""The page cache's entries: how a page is kept, found, served and filled again.

serving/cache.py decides which requests and responses take part and renders a page on a
miss; this module keeps it (`store`: the versions of its tags, how long it stays fresh),
finds it (`lookup`: from this process's memory or the shared cache), turns it back into a
response (`rebuild`), and fills its slots again when only what they read changed
(`refillable`, `refill_and_store`: serving/slots.py). It also holds the timings every
cached page and fragment shares (PAGE_CACHE_TIMEOUT, the grace, the settling second) and
the next scheduled change that bounds them.
"""

from __future__ import annotations

import hashlib
import threading
import time
import zlib
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.http.response import ResponseHeaders
from django.utils.http import quote_etag
from django.utils.module_loading import import_string

from . import dependencies, metrics, slots
from . import tags as tag_versions

SCHEDULE_KEY = "pages:next-scheduled"


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
                self.size -= _size(old)
            self.pages[key] = entry
            self.size += _size(entry)
            while self.pages and (len(self.pages) > limit or self.size > max_bytes):
                _, dropped = self.pages.popitem(last=False)
                self.size -= _size(dropped)

    def clear(self) -> None:
        global _schedule_memo
        with self.lock:
            self.pages.clear()
            self.size = 0
        tag_versions.memo.clear()
        _schedule_memo = None


local_pages = _LocalPages()


def _size(entry: dict) -> int:
    """What a kept page weighs: the page, and the page before its slots were filled."""
    return len(entry["content"]) + len(entry.get("raw") or b"")


def pack_raw(content: str) -> bytes:
    """A page before its slots were filled, as kept beside the filled one for refills:
    compressed (a 58 KB article page to 6 KB in 0.2 ms, unpacked in 0.1 ms on a refill).
    Kept as the text it is, it doubled what a page weighed in every process's memory, or
    more (a str holding one emoji takes four bytes a character), past the size limit,
    which counted the filled page only."""
    return zlib.compress(content.encode(), 1)


def unpack_raw(raw: bytes) -> str:
    return zlib.decompress(raw).decode()


def next_scheduled_change():
    """When something readers see next changes by itself (a scheduled article appears, a
    promo starts or ends), or None: asked of the content app through the
    `PAGE_CACHE_NEXT_CHANGE` setting, the dotted path of a function that takes no
    argument and returns an aware datetime or None. Called on a cache miss only."""
    path = getattr(settings, "PAGE_CACHE_NEXT_CHANGE", "")
    return import_string(path)() if path else None


def page_timeout() -> int:
    return int(getattr(settings, "PAGE_CACHE_TIMEOUT", 600))


def grace_seconds() -> float:
    return float(getattr(settings, "PAGE_CACHE_GRACE_SECONDS", 5))


def settle_seconds() -> float:
    return float(getattr(settings, "PAGE_CACHE_SETTLE_SECONDS", 1))


def clock_margin() -> float:
    return float(getattr(settings, "PAGE_CACHE_CLOCK_MARGIN", 0.05))


_schedule_memo: tuple[frozenset, str, float | None] | None = None


def next_scheduled() -> float | None:
    """Unix time of the next scheduled change, remembered (in the shared cache, and in
    this process) until one of the lists the lookup read changes or that time passes:
    no page or fragment is kept past it."""
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


def _is_current(entry: dict, found: dict) -> bool:
    if any(found.get(t) != v for t, v in entry["tags"].items()):
        return False
    return entry["fresh_until"] > time.time()


def _unchanged(entry: dict) -> bool:
    """Whether none of the entry's tags changed since the change counter it was stored or
    last found current under (its "counter"), by the change log alone
    (serving.tags.changed_after): then it is marked current under the counter now.

    So a process that meets a page for the first time, or keeps one past the few moves
    of its epoch it remembers, reads none of its tags' versions: an article page carries
    about 130, and reading them was most of what each worker did over reads spread on 600
    pages until it had met every page (docs/benchmarks.md). Never for a page carrying a
    tag this thread changed in a transaction not yet committed (only its own versions
    tell those)."""
    changed, now = tag_versions.changed_after(entry.get("counter"))
    tags = entry["tags"].keys()
    if (
        changed is None
        or not tags.isdisjoint(changed)
        or not tags.isdisjoint(tag_versions.pending())
    ):
        return False
    entry["counter"] = now
    return True


def _found_current(entry: dict, under: int | None) -> None:
    """Mark an entry found current tag by tag, its versions read after the change counter
    stood at `under`, as current under it (for `_unchanged`), unless one of its tags was
    read with this thread's own version."""
    if under is not None and entry["tags"].keys().isdisjoint(tag_versions.pending()):
        entry["counter"] = under


def lookup(key: str) -> tuple[dict | None, bool]:
    """(cached entry or None, whether it is current) for a page key.

    From this process's memory while its tags' versions are known here (or none of its
    tags is in the change log since it was found current), else one round trip for the
    page, checked against the change log, or its tags' versions read too."""
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
            if (changed is not None and local["tags"].keys().isdisjoint(changed)) or _unchanged(
                local
            ):
                local["epoch"] = epoch
                return local, True
        under = tag_versions.counter()
        found, _ = tag_versions.read(local["tags"])
        if _is_current(local, found):
            _found_current(local, under)
            if shared:
                local["epoch"] = epoch
            return local, True
    under = tag_versions.counter()
    found, extra = tag_versions.read(local["tags"] if local else (), key)
    entry = extra.get(key)
    if entry is None:
        return None, False
    if local is None or entry["tags"].keys() != local["tags"].keys():
        if _unchanged(entry):
            found = entry["tags"]
        else:
            under = tag_versions.counter()
            found, _ = tag_versions.read(entry["tags"])
    current = _is_current(entry, found)
    if current and found is not entry["tags"]:
        _found_current(entry, under)
    if current and entries:
        max_bytes = int(getattr(settings, "PAGE_CACHE_LOCAL_MB", 64)) * 2**20
        local_pages.put(key, entry, entries, max_bytes)
    return entry, current


def shared_headers(entry: dict, *, stale: bool = False) -> dict[str, str]:
    """Cache-Control for browsers (max-age) and shared caches (s-maxage), unless the view
    chose its own, and the tags."""
    keys = _keys(entry)
    return {"Surrogate-Key": keys, "xkey": keys, "Cache-Control": _cache_control(entry, stale)}


def _keys(entry: dict) -> str:
    """The Surrogate-Key header: the page's tags, joined once when it was stored."""
    return entry.get("keys") or " ".join(sorted(entry["tags"]))


def _cache_control(entry: dict, stale: bool) -> str:
    if entry.get("cache_control"):
        return entry["cache_control"]
    s_maxage = int(getattr(settings, "PAGE_CACHE_S_MAXAGE", page_timeout()))
    s_maxage = min(s_maxage, int(entry["fresh_until"] - time.time()))
    max_age = int(getattr(settings, "PAGE_CACHE_MAX_AGE", 0))
    if stale:
        max_age, s_maxage = 0, 1
    s_maxage = max(s_maxage, 1)
    return f"public, max-age={min(max_age, s_maxage)}, s-maxage={s_maxage}"


def rebuild(entry: dict, state: str, *, count: bool = True) -> HttpResponse:
    """The stored page as a response. Its headers that stay the same from hit to hit
    (the page's own, its length, its tags) are checked once per process (`_checked`), not
    on every hit: through Django's per-header checks they were the largest part of the
    page cache's own time on a hit (docs/benchmarks.md, eleventh session)."""
    if count:
        metrics.page_cache("hit")
    response = HttpResponse(entry["content"], status=entry["status"])
    checked = entry.get("checked")
    if checked is None:
        checked = entry["checked"] = _checked(entry)
    _set_checked(response, checked)
    response["X-Page-Cache"] = state
    response["Cache-Control"] = _cache_control(entry, stale=state == "stale")
    return response


def _checked(entry: dict) -> dict:
    keys = _keys(entry)
    headers = {
        **entry["headers"],
        "Content-Length": str(len(entry["content"])),
        "Surrogate-Key": keys,
        "xkey": keys,
    }
    return ResponseHeaders(headers)._store


def _set_checked(response: HttpResponse, checked: dict) -> None:
    """Give `response` headers Django's ResponseHeaders has already checked (ASCII names,
    Latin-1 or MIME-encoded values, no line breaks), in the form it keeps them: the one
    place the page cache relies on that internal (`_store`, lower-cased name to (name,
    value)); tests/serving/test_page_store_headers.py pins it against Django's own
    `response[name] = value`."""
    response.headers._store.update(checked)


class Miss:
    """What the lookup found for a request that must render: the key, whether this
    request holds the page's render lock (to release once stored), the versions of the
    stale copy's tags as they were before the render read anything (`seen`), and the
    stale copy when only its slots changed (`refill`: fill it again, no render)."""

    def __init__(
        self, key: str, locked: bool, seen: dict | None = None, refill: dict | None = None
    ) -> None:
        self.key, self.locked, self.seen, self.refill = key, locked, seen or {}, refill


def refillable(entry: dict, seen: dict) -> dict | None:
    """The stale entry, when what changed since it was stored is only what its slots read
    (a comment count on one of its cards) and it is not past its time: its slots can be
    filled again instead of the page rendered again (serving/slots.py)."""
    slot_tags = entry.get("slot_tags")
    if not slot_tags or entry["fresh_until"] <= time.time():
        return None
    changed = {t for t, v in entry["tags"].items() if seen.get(t) != v}
    return entry if changed and changed <= slot_tags else None


def refill_and_store(miss: Miss) -> HttpResponse:
    """The stale page with its slots filled again (`refillable`): the render's own tags
    are unchanged, so the page around the slots is what a render would give."""
    metrics.page_cache("refill")
    started = time.time()
    old = miss.refill
    content, slot_read = slots.fill(unpack_raw(old["raw"]))
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
    entry = store(miss, page, page_tags, started, not_after=old["fresh_until"])
    if entry is None:  # the shared cache cannot tell versions: serve it, keep nothing
        return HttpResponse(page["content"], status=page["status"], headers=page["headers"])
    return rebuild(entry, "refill", count=False)


def store(
    miss: Miss, page: dict, page_tags: set[str], started: float, not_after: float | None = None
) -> dict | None:
    """Keep `page` under the miss's key with the versions of `page_tags`, fresh until
    `not_after` at the latest; the entry, or None when the shared cache cannot tell
    versions (then nothing is kept)."""
    under = tag_versions.counter()
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
    scheduled = next_scheduled()
    fresh_until = time.time() + page_timeout()
    for limit in (scheduled, not_after):
        if limit is not None:
            fresh_until = min(fresh_until, limit)
    since = started - clock_margin()
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
        fresh_until = min(fresh_until, time.time() + settle_seconds())
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
    # Current under the counter the versions were read after: another process meeting
    # the page checks it against the change log since then, not tag by tag (_unchanged).
    _found_current(entry, under)
    if page["raw"] is not None:
        entry["raw"], entry["slot_tags"] = page["raw"], frozenset(page["slot_tags"])
    # Kept past its freshness for the grace period, so a stale copy can be served while
    # one request renders the new one.
    cache.set(miss.key, entry, timeout=page_timeout() + int(grace_seconds()))
    return entry
