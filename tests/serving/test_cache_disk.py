"""The default set-up's disk cache (serving/cache_disk.py), on its own directory: whatever
the set-up the tests run on (Redis or not), these build one in a temporary directory."""

import time

import pytest

from serving.cache_disk import _BATCH, SharedDiskCache


def _cache(tmp_path, **options) -> SharedDiskCache:
    return SharedDiskCache(str(tmp_path / "cache"), {"OPTIONS": options})


def _queries(cache: SharedDiskCache) -> list[str]:
    """Every SQL statement the cache's shards run from now on, in this thread."""
    seen: list[str] = []
    for shard in cache._cache._shards:
        shard._con.set_trace_callback(seen.append)
    return seen


@pytest.fixture
def disk(tmp_path):
    cache = _cache(tmp_path, disk_min_file_size=1024)
    yield cache
    cache._cache.close()


def test_get_many_reads_what_get_reads(disk):
    values = {
        "int": 7,
        "negative": -(2**62),
        "float": 0.5,
        "text": "café",
        "bytes": b"\x00page",
        "dict": {"content": b"x" * 50, "tags": {"article:1": 3}},
        "frozenset": frozenset({"article:1", "list:article"}),
        "in a file": {"content": b"y" * 4096},  # past disk_min_file_size: kept in a file
        "text in a file": "z" * 4096,
    }
    for key, value in values.items():
        disk.set(key, value, timeout=60)
    disk.set("expired", 1, timeout=0.01)
    time.sleep(0.05)
    asked = [*values, "expired", "never set"]
    assert disk.get_many(asked) == values == {k: disk.get(k) for k in values}
    assert disk.get("expired") is None


def test_get_many_asks_each_shard_once(disk):
    keys = [f"tag:v1:article:{n}" for n in range(130)]  # an article page's tags
    disk.set_many(dict.fromkeys(keys, 5), timeout=60)
    seen = _queries(disk)
    assert disk.get_many(keys) == dict.fromkeys(keys, 5)
    selects = [q for q in seen if q.startswith("SELECT")]
    assert len(selects) == len(disk._cache._shards)  # 8, where `get` made 130


def test_get_many_splits_more_keys_than_a_statement_takes(disk):
    keys = [f"k{n}" for n in range(_BATCH * len(disk._cache._shards) * 2)]
    disk.set_many({k: n for n, k in enumerate(keys)}, timeout=60)
    assert disk.get_many(keys) == {k: n for n, k in enumerate(keys)}


def test_get_many_with_versions_and_missing_keys(disk):
    disk.set("page", "v2", version=2)
    disk.set("page", "v1")
    assert disk.get_many(["page", "other"], version=2) == {"page": "v2"}
    assert disk.get_many(["page"]) == {"page": "v1"}
    assert disk.get_many([]) == {}


def test_an_eviction_policy_that_records_reads_still_records_them(tmp_path):
    """`least-recently-used` writes each read's time: get_many reads through `get` then."""
    cache = _cache(tmp_path, eviction_policy="least-recently-used")
    try:
        cache.set("page", 1)
        shard = cache._cache._shards[cache._cache._hash(cache.make_key("page")) % 8]
        before = shard._sql("SELECT access_time FROM Cache").fetchone()[0]
        time.sleep(0.01)
        assert cache.get_many(["page"]) == {"page": 1}
        assert shard._sql("SELECT access_time FROM Cache").fetchone()[0] > before
    finally:
        cache._cache.close()
