"""Dependency tags: what a cached page or fragment was built from, what a write changed.

The model is Drupal's cache tags and Fastly's or Varnish's surrogate keys. Each tag
(`article:7`, `list:comment:article=7`, `list:article:source=3`, `list:article`: derived
by serving/dependencies.py) has a version in the shared cache; a page or fragment records
the versions of the tags it was built from and is fresh only while every one of them is
unchanged. A write bumps only the
tags it changes (`bump()`), so approving a comment on article 7 leaves every page that
does not show article 7's comments alone.

Versions are read in one round trip for all of a page's tags and remembered in the
process for PAGE_CACHE_LOCAL_SECONDS (0.5 s with Redis), so a change made on another app
server is seen within that time and one made in this process at once. Without Redis the
"shared" cache is the process's own memory, and so are the versions.

A version is the bump's wall-clock time in microseconds times 1,000 plus a random part:
unique, never reused after an eviction or a Redis restart, and it says when the tag last
changed (`bumped_at()`), which the page cache uses to refuse to keep, for long, a page
whose render may have read the state from before a change it now carries the tag of.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from .tasks import schedule_purge

KEY_PREFIX = "tag:v1:"
# Long enough to outlive every page that records the version; an evicted or expired tag
# gets a new version, which only makes its pages stale.
TIMEOUT = 7 * 24 * 3600


def new_version() -> int:
    return (time.time_ns() // 1000) * 1000 + secrets.randbelow(1000)


def bumped_at(version: int) -> float:
    """Unix time at which a tag got this version by a bump (0 for a first version)."""
    return version / 1e9 if version > 0 else 0.0


class _Memo:
    """Versions read recently by this process: tag -> (version, when read)."""

    def __init__(self, limit: int = 50_000) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, tuple[int, float]] = {}
        self.limit = limit

    def fresh(self, tag: str, seconds: float, now: float) -> int | None:
        hit = self.entries.get(tag)
        if hit is not None and now - hit[1] < seconds:
            return hit[0]
        return None

    def remember(self, found: dict[str, int], now: float) -> None:
        with self.lock:
            if len(self.entries) + len(found) > self.limit:
                self.entries.clear()
            for tag, version in found.items():
                self.entries[tag] = (version, now)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


memo = _Memo()


def _local_seconds() -> float:
    return float(getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0) or 0)


def read(tags: Iterable[str], *extra_keys: str) -> tuple[dict[str, int | None], dict]:
    """(versions of `tags`, values of `extra_keys`) in at most one round trip.

    `extra_keys` are read in the same round trip (the page cache reads a page and its
    tags' versions together). A version is None when the shared cache cannot tell
    (Redis unreachable): nothing built under such a version may be kept.
    """
    seconds, now = _local_seconds(), time.monotonic()
    found: dict[str, int | None] = {}
    missing = []
    for tag in tags:
        version = memo.fresh(tag, seconds, now) if seconds else None
        if version is None:
            missing.append(tag)
        else:
            found[tag] = version
    extra: dict = {}
    if missing or extra_keys:
        got = cache.get_many([KEY_PREFIX + t for t in missing] + list(extra_keys))
        extra = {k: got[k] for k in extra_keys if k in got}
        read_now = {}
        for tag in missing:
            version = got.get(KEY_PREFIX + tag)
            if version is None:
                version = _create(tag)
            found[tag] = version
            if version is not None:
                read_now[tag] = version
        if seconds and read_now:
            memo.remember(read_now, now)
    return found, extra


def _create(tag: str) -> int | None:
    """A first version for a tag never bumped (or evicted); None if the cache is down.

    Negative: unique like any other, but no change happened then (see bumped_at)."""
    version = -new_version()
    if cache.add(KEY_PREFIX + tag, version, timeout=TIMEOUT):
        return version
    return cache.get(KEY_PREFIX + tag)


def versions(tags: Iterable[str]) -> dict[str, int | None]:
    return read(tags)[0]


def token(tags: Iterable[str]) -> str:
    """A string that changes whenever one of `tags` changes, for fragment cache keys.

    When the cache cannot tell the versions, a token used once: nothing is shared."""
    found = versions(sorted(set(tags)))
    if any(v is None for v in found.values()):
        return f"unknown-{secrets.token_hex(8)}"
    return ".".join(str(v) for _, v in sorted(found.items()))


def bump(tags: Iterable[str]) -> None:
    """Give each tag a new version: one round trip; this process sees it at once."""
    tags = set(tags)
    if not tags:
        return
    version = new_version()
    memo.remember(dict.fromkeys(tags, version), time.monotonic())
    cache.set_many({KEY_PREFIX + t: version for t in tags}, timeout=TIMEOUT)


def bump_tags(tags: Iterable[str], *, http: bool = True) -> None:
    """Make every page and fragment built from one of `tags` stale: call on a write.

    At once (so this process, and a test inside a transaction, never reads a stale page)
    and again when the transaction commits (a page another server rendered from the
    not-yet-committed state in between is dropped too); then, off the request, the tags
    are purged from the HTTP caches in PURGE_URLS. One round trip per bump.

    `http=False` for tags no shared page carries (what only signed-in readers' fragments
    are built from): nothing to purge from the HTTP caches.
    """
    tags = frozenset(t for t in tags if t)
    if not tags:
        return
    bump(tags)
    if not transaction.get_connection().in_atomic_block:
        if http:
            schedule_purge(tags)
        return

    def committed() -> None:
        bump(tags)
        if http:
            schedule_purge(tags)

    transaction.on_commit(committed)
