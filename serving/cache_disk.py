"""The shared cache of the default set-up (no REDIS_URL): diskcache, on local disk.

Every process on the machine (gunicorn's workers, the task worker, the scheduler, a
`manage.py` command) opens the same directory (CACHE_DIR, under var/ by default), so
pages, fragments, tag versions, render locks and rate-limit counters are one cache for
all of them, as Redis is in production: a bump made by the task worker invalidates the
page in every web worker, and a login throttle counts every worker's attempts.

diskcache keeps small values in SQLite in WAL mode (readers never wait for a writer) and
larger ones in files; `add` and `incr` are atomic across processes. Why this and not a
table of our own, or the local memory it replaces: README, "Design decisions", and the
figures of bench/cache_backends.py in docs/benchmarks.md.
"""

from __future__ import annotations

import mmap
import os
import sqlite3
import struct
import time
from pathlib import Path

from diskcache import DjangoCache, Timeout
from diskcache.core import EVICTION_POLICY

STAMP_FILE = "changes.stamp"
_STAMP = struct.Struct("<q")
# Keys per SELECT of get_many: under SQLite's smallest limit on a statement's variables (999).
_BATCH = 500


class ChangeStamp:
    """Eight bytes in a file under the cache's directory that every process maps into its
    memory: the tag change counter as the last bump left it (serving/tags.py).

    Reading it costs a memory read, where reading the counter from SQLite cost 180 µs of
    CPU once a worker's caches had gone cold between two checks (bench/profile_hit.py's
    machine, loaded); so each lookup looks at it, and a process checks the counter in the
    database only when it moved (or every PAGE_CACHE_LOCAL_SECONDS, in case a write of it
    was lost). A torn read (two processes bumping at once) only triggers a check."""

    def __init__(self, directory: str) -> None:
        self.path = Path(directory) / STAMP_FILE
        self.map: mmap.mmap | None = None
        self.failed = False

    def _open(self) -> mmap.mmap | None:
        if self.map is None and not self.failed:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    if os.fstat(fd).st_size < _STAMP.size:
                        os.ftruncate(fd, _STAMP.size)
                    self.map = mmap.mmap(fd, _STAMP.size)
                finally:
                    os.close(fd)
            except OSError:
                self.failed = True  # no stamp: processes check the counter by time alone
        return self.map

    def read(self) -> int | None:
        shared = self._open()
        return None if shared is None else _STAMP.unpack_from(shared)[0]

    def write(self, counter: int) -> None:
        shared = self._open()
        if shared is not None:
            _STAMP.pack_into(shared, 0, counter)


class SharedDiskCache(DjangoCache):
    """diskcache's Django backend, keeping its SQLite connections open between requests.

    Django closes every cache when a request finishes (`close_caches`), for backends whose
    connections are cheap to drop; here that reopened each shard's SQLite file (and read
    its settings) on the next request: a tenth of a millisecond or more on every hit, for
    nothing (a connection is per thread and per process already)."""

    def __init__(self, directory, params):
        options = {
            # Pages (tens of kB) inside SQLite, not one file each: writing a file per page
            # cost 2-6 ms a store, against 0.15 ms in the database (bench/cache_backends.py).
            "disk_min_file_size": 2**20,
            **params.get("OPTIONS", {}),
        }
        super().__init__(directory, {**params, "OPTIONS": options})
        self._stamp = ChangeStamp(directory)

    def change_stamp(self) -> int | None:
        """The tag change counter as last published by a bump in any process (or None)."""
        return self._stamp.read()

    def publish_change(self, counter: int) -> None:
        """Tell every process that the tag change counter is now `counter`."""
        self._stamp.write(counter)

    def get_many(self, keys, version=None):
        """The values of `keys` found, in one SELECT per shard of the cache instead of one
        per key.

        Django's `get_many` asks for each key in turn: a page's tag versions (an article
        page carries about 130 tags) cost a worker 130 queries, 1.5 ms of CPU, each time
        it first met the page, which on reads spread over 600 pages was most of what it
        did until it had met them all (docs/benchmarks.md, "The spread over 600 pages on
        the default"). The same rows as `get` would read (expired ones left out, values
        in files read from them); `get` itself when a read must also write (statistics,
        or an eviction policy that records reads), or the database is busy."""
        fanout = self._cache
        shards = fanout._shards
        if fanout.statistics or EVICTION_POLICY[fanout.eviction_policy]["get"] is not None:
            return super().get_many(keys, version=version)
        asked: dict[str, object] = {}  # the key as stored -> the caller's key
        by_shard: dict[int, list[str]] = {}
        for key in keys:
            stored = self.make_key(key, version=version)
            asked[stored] = key
            by_shard.setdefault(fanout._hash(stored) % len(shards), []).append(stored)
        found = {}
        now = time.time()
        for index, stored_keys in by_shard.items():
            shard = shards[index]
            for start in range(0, len(stored_keys), _BATCH):
                batch = stored_keys[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                try:
                    rows = shard._sql(
                        "SELECT key, mode, filename, value FROM Cache WHERE raw = 1 AND key"
                        f" IN ({marks}) AND (expire_time IS NULL OR expire_time > ?)",
                        (*batch, now),
                    ).fetchall()
                except (Timeout, sqlite3.OperationalError):  # busy: one key at a time
                    rows = None
                if rows is None:
                    found.update(super().get_many([asked[k] for k in batch], version=version))
                    continue
                for stored, mode, filename, value in rows:
                    try:
                        found[asked[stored]] = shard._disk.fetch(mode, filename, value, False)
                    except OSError:  # its file was removed since: a miss, as in `get`
                        pass
        return found

    def close(self, **kwargs):
        """Nothing to do per request (see the class doc); connections close at exit."""
