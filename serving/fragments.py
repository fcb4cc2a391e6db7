"""Values kept in the fragments cache with the dependencies they recorded.

`kept(name, build)` returns what `build()` returns, kept (under the name) with the tags
of every row and list `build` read (serving/dependencies.py) and their versions: it is
served only while all of them are unchanged and before the next scheduled change (and
no longer than any kept value `build` read), and the page reading it depends on the
same tags. The `{% fragment %}` template tag keeps
HTML this way (serving/templatetags/fragments.py); a view keeps data this way when part
of a page changes far less often than the rest: the home page's choice of articles
follows article lists, not comments, so a comment approved on a card's article counts
its comments again without choosing the articles again (articles.views.home).

Kept in the `fragments` alias (local memory in front of the shared cache): an entry is
checked against the shared versions on every read, so a local copy is never served stale.
Values are pickled there: model instances come back as copies, and record their rows.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import TypeVar

from django.core.cache import caches

from . import dependencies
from . import tags as tag_versions
from .page_store import clock_margin, next_scheduled, page_timeout, settle_seconds

# v2: entries hold "value" (v1 held "html").
KEY_PREFIX = "fragment:v2:"

T = TypeVar("T")


def key_of(*parts) -> str:
    raw = "|".join(map(str, parts))
    return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


# The earliest end of life of the kept values read while a value is being built: the
# value built from them is served no longer than they are (`keep`).
_earliest: ContextVar[list[float] | None] = ContextVar("fragments_earliest", default=None)


def _bound(until: float) -> None:
    box = _earliest.get()
    if box is not None and until < box[0]:
        box[0] = until


def _current(entry: dict | None, found: dict) -> bool:
    if entry is None or entry["until"] <= time.time():
        return False
    if any(found.get(tag) != version for tag, version in entry["tags"].items()):
        return False
    # As its build did: what it read loosely stays loose for the fragment around it.
    if dependencies.is_recording():  # (most reads record nothing: a signed-in page)
        loose = entry["loose"]
        dependencies.record(*(dependencies.LOOSE + t if t in loose else t for t in entry["tags"]))
        # A value kept for a short while (built around a write, or before a scheduled
        # change) bounds the one built from it, or that one would outlive it.
        _bound(entry["until"])
    return True


def kept_values(keys: Iterable[str]) -> dict[str, object]:
    """The values kept under those of `keys` that are still current, in one read of the
    cache and one of the versions of all their tags (a list page's cards); `kept()` builds
    the others."""
    entries = caches["fragments"].get_many(list(keys))
    tags = {t for entry in entries.values() for t in entry["tags"]}
    found = tag_versions.versions(tags) if tags else {}
    return {key: e["value"] for key, e in entries.items() if _current(e, found)}


def kept(key: str, build: Callable[[], T], *, shown: Iterable[str] = ()) -> T:
    """`build()`'s value under `key` (from `key_of`) while what it read is unchanged.

    `shown`: tags it depends on besides what it reads (the instances it was handed)."""
    entry = caches["fragments"].get(key)
    if entry is not None and _current(entry, tag_versions.versions(entry["tags"])):
        return entry["value"]
    return keep(key, build, shown=shown)


def keep(key: str, build: Callable[[], T], *, shown: Iterable[str] = ()) -> T:
    """`build()`'s value, kept under `key` as `kept()` keeps it, without reading the
    cache first: for a caller that just found the key missing (`kept_values`)."""
    started = time.time()
    earliest = [math.inf]
    token = _earliest.set(earliest)
    try:
        with dependencies.recording() as read:
            dependencies.record(*shown)
            value = build()
    finally:
        _earliest.reset(token)
    read, loose = dependencies.split_loose(read)
    found = tag_versions.versions(read)
    if any(v is None for v in found.values()):
        return value  # the shared cache cannot tell versions: keep nothing
    until = min(time.time() + page_timeout(), earliest[0])
    scheduled = next_scheduled()
    if scheduled is not None:
        until = min(until, scheduled)
    since = started - clock_margin()
    if any(tag_versions.bumped_at(v) >= since for v in found.values()):
        until = min(until, time.time() + settle_seconds())  # may hold the state before a write
    entry = {"tags": found, "loose": loose, "until": until, "value": value}
    caches["fragments"].set(key, entry, timeout=page_timeout())
    _bound(until)  # and the value being built around this one, if any
    return value
