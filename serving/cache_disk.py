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
import struct
from pathlib import Path

from diskcache import DjangoCache

STAMP_FILE = "changes.stamp"
_STAMP = struct.Struct("<q")


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

    def close(self, **kwargs):
        """Nothing to do per request (see the class doc); connections close at exit."""
