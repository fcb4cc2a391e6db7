"""Which server-less cache for the default set-up: measured, not guessed (issue 34).

Three candidates for pages, fragments, tag versions, locks and rate limits when there is
no Redis, each timed in this process on what a page-cache hit and a write ask of it:

- Django's local memory (today's default): fast, but each process has its own, so no
  worker can invalidate another's pages;
- diskcache's Django backend (`diskcache.DjangoCache`): SQLite in WAL mode plus files
  for large values, shared by every process on the machine;
- a bare SQLite table in WAL mode in a file of its own (the least a hand-written backend
  could cost: one SELECT per get, no eviction, no files).

    python bench/cache_backends.py            # prints one table, microseconds per call

Run by hand; its figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from diskcache import DjangoCache  # noqa: E402
from django.core.cache.backends.locmem import LocMemCache  # noqa: E402

PAGE = {
    "tags": {f"article:{n}": -1733_000_000_000_000 - n for n in range(12)},
    "fresh_until": time.time() + 600,
    "status": 200,
    "content": os.urandom(20_000).hex().encode(),  # 40 kB, an article page's size
    "headers": {"Content-Type": "text/html; charset=utf-8", "ETag": '"abc"'},
    "cache_control": "",
}
TAGS = [f"tag:v1:article:{n}" for n in range(12)]


class SqliteWal:
    """The least a SQLite-WAL cache costs: one table, pickled values, no eviction."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=wal")
        self.db.execute("PRAGMA synchronous=normal")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB, expires REAL)"
        )

    def get(self, key, default=None):
        row = self.db.execute(
            "SELECT value FROM cache WHERE key = ? AND expires > ?", (key, time.time())
        ).fetchone()
        return pickle.loads(row[0]) if row else default

    def get_many(self, keys):
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT key, value FROM cache WHERE key IN ({marks}) AND expires > ?",
            (*keys, time.time()),
        )
        return {k: pickle.loads(v) for k, v in rows}

    def set(self, key, value, timeout=600):
        self.db.execute(
            "INSERT OR REPLACE INTO cache VALUES (?, ?, ?)",
            (key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL), time.time() + timeout),
        )

    def set_many(self, data, timeout=600):
        with self.db:
            for key, value in data.items():
                self.set(key, value, timeout)

    def add(self, key, value, timeout=600):
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO cache VALUES (?, ?, ?)",
            (key, pickle.dumps(value), time.time() + timeout),
        )
        return cursor.rowcount == 1


def timed(call, n: int = 2000) -> float:
    """Median of 5 runs of `n` calls, microseconds per call."""
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            call()
        runs.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(runs)


def measure(cache) -> dict[str, float]:
    cache.set("page", PAGE, 600)
    cache.set_many({t: -1 for t in TAGS}, 600)
    counter = iter(range(10**9))
    return {
        "get page (40 kB)": timed(lambda: cache.get("page")),
        "get_many 12 tag versions": timed(lambda: cache.get_many(TAGS)),
        "get 1 small key": timed(lambda: cache.get(TAGS[0])),
        "set page": timed(lambda: cache.set("page", PAGE, 600), 300),
        "set_many 12 tags (a bump)": timed(lambda: cache.set_many({t: 2 for t in TAGS}, 600), 300),
        "add (a lock)": timed(lambda: cache.add(f"lock{next(counter)}", 1, 5), 300),
    }


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cache-bench-"))
    candidates = {
        "local memory": LocMemCache("bench", {}),
        "diskcache.DjangoCache": DjangoCache(str(tmp / "diskcache"), {"OPTIONS": {}}),
        # Values under 1 MB inside SQLite, not one file each (the default is 32 kB).
        "diskcache, pages in SQLite": DjangoCache(
            str(tmp / "diskcache-inline"), {"OPTIONS": {"disk_min_file_size": 2**20}}
        ),
        "SQLite WAL table": SqliteWal(str(tmp / "wal.sqlite3")),
    }
    results = {name: measure(cache) for name, cache in candidates.items()}
    names = list(candidates)
    print("| µs per call | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for op in results[names[0]]:
        print(f"| {op} | " + " | ".join(f"{results[n][op]:.1f}" for n in names) + " |")


if __name__ == "__main__":
    main()
