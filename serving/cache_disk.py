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

from diskcache import DjangoCache


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

    def close(self, **kwargs):
        """Nothing to do per request (see the class doc); connections close at exit."""
