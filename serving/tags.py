"""Dependency tags: what a cached page or fragment was built from, what a write changed.

The model is Drupal's cache tags and Fastly's or Varnish's surrogate keys. Each tag
(`article:7`, `list:comment:article=7`, `list:article:source=3`, `list:article`: derived
by serving/dependencies.py) has a version in the shared cache; a page or fragment records
the versions of the tags it was built from and is fresh only while every one of them is
unchanged. A write bumps only the
tags it changes (`bump()`), so approving a comment on article 7 leaves every page that
does not show article 7's comments alone.

Versions are read in one round trip for all of a page's tags and remembered in the
process for as long as no bump touches them: every bump also counts itself and logs its
tags in the shared cache, and each process reads that counter at most every
PAGE_CACHE_LOCAL_SECONDS (0.5 s), then forgets only what changed. The cache on disk that
the default set-up shares between its processes also publishes the counter in memory
every process maps (serving/cache_disk.py), which each lookup looks at: there a change
is seen by every process at its next request. So a hit on any page is validated by one
small read (or none), a change made on another app server is seen within that time, and
one made in this process at once.

A version is the bump's wall-clock time in microseconds times 1,000 plus a random part:
unique, never reused after an eviction or a Redis restart, and it says when the tag last
changed (`bumped_at()`), which the page cache uses to refuse to keep, for long, a page
whose render may have read the state from before a change it now carries the tag of.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import islice

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


LOG_KEY_PREFIX = "tag:log:v1:"
COUNTER_KEY = "tag:changes:v1"
# A process further behind than this many changes forgets every version it remembers.
LOG_WINDOW = 500
LOG_TIMEOUT = 3600
# Moves of the epoch a process remembers the tags of (_Memo.moves).
EPOCH_MOVES = 64


class _Memo:
    """The tag versions this process has read, valid while the shared change counter is
    the one they were read under.

    Every bump adds one to a counter in the shared cache and logs which tags it changed
    under the counter's new value. A process re-reads the counter at most every
    PAGE_CACHE_LOCAL_SECONDS, and at once when the cache publishes a change stamp that
    moved (the disk cache's memory-mapped copy of the counter, serving/cache_disk.py: a
    memory read per lookup); when the counter moved, it forgets the versions of the tags
    logged in between (all it remembers, when a log entry is missing), so a page's tags
    are validated by one small read (or none) whatever the page, and re-read only when
    they changed."""

    # Tag versions one process remembers before it forgets them all. An article page
    # carries about 120 tags (each comment card's own among them): 600 pages read
    # uniformly name 43,000 distinct tags, so the old 50,000 was crossed again and again
    # and every crossing sent each page's next hit to the shared cache for all its tags
    # (make bench's uniform spread fell from 0.83-0.85 to 0.71-0.78 x static). 250,000
    # entries are about 30 MB per process at most; past it the oldest half is forgotten,
    # not all, so a larger site loses only its least recently learnt versions.
    def __init__(self, limit: int = 250_000) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, int] = {}
        self.limit = limit
        self.counter: int | None = None
        self.checked = float("-inf")
        self.stamp: int | None = None  # the change stamp the counter was read under
        self.read_stamp = None  # the shared cache's `change_stamp`, found on first use
        # Moves whenever a remembered version may have changed (the counter moved, a bump
        # here, a clear): a page found current under one epoch is current until the next.
        self.epoch = 0
        # Which tags each recent move of the epoch changed (None: any may have), so a
        # page found current under an earlier epoch is checked against those only.
        self.moves: deque[tuple[int, frozenset[str] | None]] = deque(maxlen=EPOCH_MOVES)
        # The tags each recent change (by the counter's value) changed, as logged: what a
        # page stored or found current under an earlier counter is checked against
        # (`changed_after`), so a process meeting a page first reads none of its tags.
        self.logged: dict[int, frozenset[str]] = {}

    def sync(self, seconds: float, now: float) -> int | None:
        """Forget what changed since the last check, if one is due (the change stamp
        moved, or `seconds` passed); the counter now."""
        if self.read_stamp is None:
            self.read_stamp = getattr(cache, "change_stamp", None) or (lambda: None)
        stamp = self.read_stamp()
        if stamp == self.stamp and now - self.checked < seconds:
            return self.counter
        counter = cache.get(COUNTER_KEY)
        if counter is None:  # never bumped, cleared or evicted: start it again, from a
            # value no process can have seen (now in nanoseconds: past any earlier start
            # by more than the bumps counted since), so every one forgets all it remembers
            cache.add(COUNTER_KEY, time.time_ns(), timeout=None)
            counter = cache.get(COUNTER_KEY)
            _publish(counter)
            if stamp is not None:  # what this process just published: no second check
                stamp = counter
        with self.lock:
            last = self.counter
        forget: set[str] | None = set()
        if counter is None or last is None or not 0 <= counter - last <= LOG_WINDOW:
            forget = None
        elif counter != last:
            keys = [f"{LOG_KEY_PREFIX}{n}" for n in range(last + 1, counter + 1)]
            logged = cache.get_many(keys)
            if len(logged) < len(keys):
                forget = None  # a log entry expired or is not written yet
            else:
                forget = set().union(*logged.values())
                self.learn(_log_entries(logged))
        with self.lock:
            if forget is None:
                self.entries.clear()
            for tag in forget or ():
                self.entries.pop(tag, None)
            if counter != self.counter:
                self._move(None if forget is None else frozenset(forget))
            self.counter, self.checked, self.stamp = counter, now, stamp
        return counter

    def remember(self, found: dict[str, int], under: int | None, *, bumped: bool = False) -> None:
        """Keep versions read after the counter was `under` (only while it still is), or
        just given by a bump in this process (`bumped`)."""
        with self.lock:
            if bumped:
                self._move(frozenset(found))
            if under is None or self.counter != under:
                return  # read under no counter, or another thread has moved on since
            excess = len(self.entries) + len(found) - self.limit
            if excess > 0:  # forget the oldest half (at least what does not fit), not all
                for tag in list(islice(self.entries, max(excess, self.limit // 2))):
                    del self.entries[tag]
            self.entries.update(found)

    def advance(self, counter: int, tags: frozenset[str]) -> bool:
        """Learn this process's own change, counted as `counter` with `tags` (its log
        entry written), as a check of the counter would: only when it is the next
        change after the counter this process last checked, so that no other
        process's change is skipped. False otherwise (then a check is due)."""
        with self.lock:
            if self.counter is None or counter != self.counter + 1:
                return False
            self._learn({counter: tags})
            for tag in tags:
                self.entries.pop(tag, None)
            self._move(tags)
            self.counter = counter
        return True

    def learn(self, logged: dict[int, frozenset[str]]) -> None:
        """Keep log entries read from the shared cache (the last LOG_WINDOW of them)."""
        with self.lock:
            self._learn(logged)

    def _learn(self, logged: dict[int, frozenset[str]]) -> None:
        self.logged.update(logged)
        for old in sorted(self.logged)[: max(len(self.logged) - LOG_WINDOW, 0)]:
            del self.logged[old]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.logged.clear()
            self.counter, self.checked = None, float("-inf")
            self.stamp, self.read_stamp = None, None
            self._move(None)

    def moved(self, tags: frozenset[str]) -> None:
        """`tags` may read differently now (this thread's uncommitted bumps)."""
        with self.lock:
            self._move(tags)

    def _move(self, tags: frozenset[str] | None) -> None:
        """The epoch moves because `tags` changed (None: any may have). Under the lock."""
        self.epoch += 1
        self.moves.append((self.epoch, tags))

    def changed_since(self, epoch: int | None) -> frozenset[str] | None:
        """Every tag whose version may have changed after `epoch`, or None when that is
        not known (too long ago, or a move that changed any)."""
        with self.lock:
            if epoch is None or self.epoch - epoch > len(self.moves):
                return None
            changed: set[str] = set()
            for moved, tags in self.moves:
                if moved > epoch:
                    if tags is None:
                        return None
                    changed |= tags
            return frozenset(changed)


memo = _Memo()


def _publish(counter: int | None) -> None:
    """Tell every process the counter moved, where the shared cache can (the disk cache)."""
    publish = getattr(cache, "publish_change", None)
    if publish is not None and counter is not None:
        publish(counter)


def _local_seconds() -> float:
    return float(getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0) or 0)


def read(tags: Iterable[str], *extra_keys: str) -> tuple[dict[str, int | None], dict]:
    """(versions of `tags`, values of `extra_keys`) in at most one round trip, after the
    check of the change counter (`_Memo`) when it is due.

    `extra_keys` are read in the same round trip (the page cache reads a page and its
    tags' versions together). A version is None when the shared cache cannot tell
    (Redis unreachable): nothing built under such a version may be kept.
    """
    under = memo.sync(_local_seconds(), time.monotonic())
    found: dict[str, int | None] = {}
    missing = []
    entries = memo.entries
    for tag in tags:
        version = entries.get(tag)
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
        if read_now:
            memo.remember(read_now, under)
    own = pending()
    if own:  # this thread's uncommitted writes, seen by it alone (bump_tags)
        found.update((t, _own_version(found[t], v)) for t, v in own.items() if t in found)
    return found, extra


def _own_version(shared: int | None, own: int) -> int:
    """A version only this thread sees: unlike the shared one, and changing when it does
    (another server's commit). Negative: it says no time (`bumped_at`)."""
    return -(hash((shared, own)) % (1 << 62)) - 1


def changed_since(epoch: int | None) -> frozenset[str] | None:
    """The tags that may have changed since `epoch` in this process (None: any may)."""
    return memo.changed_since(epoch)


def counter() -> int | None:
    """The change counter, after its check when due: versions read after this call are
    at least as recent as it says (`changed_after`)."""
    return memo.sync(_local_seconds(), time.monotonic())


def changed_after(since: int | None) -> tuple[frozenset[str] | None, int | None]:
    """(Every tag a change counted after the counter stood at `since` changed, or None
    when that cannot be told; the counter now), after the counter's check when due.

    From the change log (`_Memo`): a bump sets its versions, then counts itself, then
    logs its tags, so versions read once the counter was seen at `since` are current
    unless a tag of theirs is logged after it. Told only within the log's window and
    while every entry of it is still in the shared cache; None for a `since` ahead of
    this process (another process checked more recently).
    """
    now = memo.sync(_local_seconds(), time.monotonic())
    if since is None or now is None or not 0 <= now - since <= LOG_WINDOW:
        return None, now
    with memo.lock:
        known = {n: memo.logged.get(n) for n in range(since + 1, now + 1)}
    missing = [n for n, tags in known.items() if tags is None]
    if missing:
        got = _log_entries(cache.get_many([f"{LOG_KEY_PREFIX}{n}" for n in missing]))
        if len(got) < len(missing):
            return None, now  # expired, or its bump has not logged it yet
        memo.learn(got)
        known.update(got)
    return frozenset().union(*known.values()), now


def _log_entries(found: dict[str, frozenset[str]]) -> dict[int, frozenset[str]]:
    """Log entries read from the shared cache, by the counter's value they were logged at."""
    return {int(key[len(LOG_KEY_PREFIX) :]): tags for key, tags in found.items()}


def epoch() -> int:
    """After the change counter's check, when due: a number that stays the same for as
    long as every version this process remembers does (`_Memo.epoch`). This thread's
    uncommitted bumps (`pending`) move it too, but a page carrying one of their tags must
    be checked tag by tag, not by the epoch (serving.page_store.lookup)."""
    memo.sync(_local_seconds(), time.monotonic())
    return memo.epoch


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
    """Give each tag a new version, then count the change and log its tags (`_Memo`):
    three round trips, and this process's check of the counter (two more) unless no
    other change came since its last check; this process
    sees it at once, the others at their next check (at their next lookup on the disk
    cache, whose change stamp this moves)."""
    tags = frozenset(tags)
    if not tags:
        return
    version = new_version()
    cache.set_many({KEY_PREFIX + t: version for t in tags}, timeout=TIMEOUT)
    memo.remember(dict.fromkeys(tags, version), memo.counter, bumped=True)
    try:
        counter = cache.incr(COUNTER_KEY)
    except ValueError:  # no counter: start one now, and every process forgets
        memo.sync(0, time.monotonic())
        return
    cache.set(f"{LOG_KEY_PREFIX}{counter}", tags, timeout=LOG_TIMEOUT)
    _publish(counter)  # after the log: a process that sees the stamp finds the entry
    # This process knows of the change now: a page checked against the log since the
    # counter it was found current under (changed_after) must see it, not only at the
    # next timed check (Redis publishes no stamp). When no other change came between,
    # the increment's own answer says so (the writer's usual case: no round trip);
    # else the counter is checked (two).
    if not memo.advance(counter, tags):
        memo.sync(0, time.monotonic())


def bump_tags(tags: Iterable[str], *, http: bool = True) -> None:
    """Make every page and fragment built from one of `tags` stale: call on a write.

    Published when the write is visible to every reader: at once outside a transaction,
    when it commits inside one; then, off the request, the tags are purged from the HTTP
    caches in PURGE_URLS. Until the commit only the writing thread sees the tags as
    changed (`_pending`: so it, and a test inside a transaction, never reads a stale
    page); a rollback forgets them. So a version another process reads always names
    committed rows: a page it renders after seeing the version cannot hold the state
    from before the write (the page cache keeps such a page for long, `_render_and_store`).
    Bumped before the commit as well, the approval of a comment had every process
    render its article page from the old rows, then again after the commit.

    `http=False` for tags no shared page carries (what only signed-in readers' fragments
    are built from): nothing to purge from the HTTP caches.
    """
    tags = frozenset(t for t in tags if t)
    if not tags:
        return
    held = _held.get()
    if held is not None:  # inside bumps_together(): sent once, at its end
        held[http] |= tags
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        bump(tags)
        if http:
            schedule_purge(tags)
        return

    def committed() -> None:
        bump(tags)
        if http:
            schedule_purge(tags)
        _pending.set([e for e in _pending.get() or () if e[1] is not committed] or None)

    transaction.on_commit(committed)
    entries = [*(_pending.get() or ()), (connection, committed, dict.fromkeys(tags, new_version()))]
    _pending.set(entries)
    memo.moved(tags)  # pages this thread found current under the epoch are checked again


# This thread's bumps waiting for their transaction's commit: (connection, the on-commit
# callback that publishes them, {tag: a version only this thread sees}).
_pending: ContextVar[list | None] = ContextVar("pending_bumps", default=None)


def pending() -> dict[str, int]:
    """The versions of the tags this thread changed in a transaction not yet committed
    (empty almost always: one context-variable read). An entry lives while its on-commit
    callback waits: committed, the callback published it; rolled back (a savepoint
    too), Django dropped the callback and the tags are as they were."""
    entries = _pending.get()
    if not entries:
        return {}
    waiting: dict = {}  # connection -> ids of its callbacks waiting for the commit
    for connection, _, _ in entries:
        if connection not in waiting:
            waiting[connection] = (
                {id(f) for _, f, _ in connection.run_on_commit}
                if connection.in_atomic_block
                else set()
            )
    live = [entry for entry in entries if id(entry[1]) in waiting[entry[0]]]
    if len(live) != len(entries):
        _pending.set(live or None)
    found: dict[str, int] = {}
    for _, _, versions_ in live:
        found.update(versions_)
    return found


# The tags bump_tags() was asked to bump inside bumps_together(), by `http`.
_held: ContextVar[dict[bool, set[str]] | None] = ContextVar("held_bumps", default=None)


@contextmanager
def bumps_together() -> Iterator[None]:
    """Bump every tag the block's writes change once, at its end, instead of once per
    write: one bump (four round trips, and four more on commit) in place of one per
    write. For a block nothing reads a page in between (a task's writes, such as
    stories.services.assign_article's dozen). Inside a transaction, the block's end is
    still before the commit, so bump_tags()' at-once and on-commit bumps both happen.
    The tags are bumped when the block raises too (a stale page costs a miss; a fresh
    one that is wrong costs a reader). Nested blocks bump with the outermost.
    """
    if _held.get() is not None:
        yield
        return
    held: dict[bool, set[str]] = {True: set(), False: set()}
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        bump_tags(held[True])
        bump_tags(held[False] - held[True], http=False)
