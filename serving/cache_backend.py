"""A Redis cache that degrades to "no cache" when Redis is unreachable.

The site must keep serving from the database when Redis is down: every cache call here
catches Redis connection errors, logs them, and answers as an empty cache would (a miss,
a failed add). After a connection failure (or three timeouts in a row) the process stops
trying for `RETRY_AFTER` seconds, so a dead Redis costs one short timeout per process
every few seconds, not one per call; a single late reply is only that call's miss.

Rate-limit counters are the exception: "no cache" would make every limit fail closed (no
lock, so every login, sign-up and comment refused). Keys starting with one of
`CACHE_LOCAL_FALLBACK_PREFIXES` go to this process's memory while Redis is away, so the
limits still hold, per process instead of site-wide, and a warning says so.
"""

from __future__ import annotations

import logging
import pickle
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0
# Timeouts in a row that count as "Redis is down" (one alone is only a slow reply).
SLOW_REPLIES = 3
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
_MISSING = object()


def _local_limits() -> LocMemCache:
    # LocMemCache instances with one name share one store: one per process, all threads.
    return LocMemCache("redis-down-limits", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new redis.Redis (and its ~80 callbacks) for every call;
    one per connection pool is enough (redis.Redis is thread-safe over its pool)."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, minus the 500s when Redis is away."""

    _down_until = 0.0  # per instance (thread): a health flag, not shared state
    _slow_replies = 0
    _warned_local = False  # per process: one warning per outage about local limits

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def _local_fallback(self, name: str, args: tuple, kwargs: dict):
        """Run a rate-limit key's call on this process's memory (see the module doc)."""
        key = args[0] if args else None
        prefixes = tuple(getattr(settings, "CACHE_LOCAL_FALLBACK_PREFIXES", ()))
        if not (isinstance(key, str) and prefixes and key.startswith(prefixes)):
            return _MISSING
        if not ResilientRedisCache._warned_local:
            ResilientRedisCache._warned_local = True
            logger.warning("Redis unavailable: rate limits are kept per process until it is back")
        return getattr(_local_limits(), name)(*args, **kwargs)

    def _call(self, name: str, fallback, *args, **kwargs):
        if time.monotonic() < self._down_until:
            local = self._local_fallback(name, args, kwargs)
            return fallback if local is _MISSING else local
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except REDIS_DOWN as exc:
            # A refused or broken connection means Redis is away: stop asking for a
            # while. A late reply alone does not: on a saturated 2-core machine Redis
            # sometimes answers a PING after 0.5 s (measured in docs/benchmarks.md), and
            # switching the whole process to "no cache" for 5 s on each such blip turned
            # one slow reply into seconds of uncached renders. Three in a row do.
            self._slow_replies += 1
            late_reply = isinstance(exc, RedisTimeoutError) and "connecting" not in str(exc)
            if not late_reply or self._slow_replies >= SLOW_REPLIES:
                self._down_until = time.monotonic() + RETRY_AFTER
                self._slow_replies = 0
            logger.warning("Redis unavailable (%s: %s); serving without cache", name, exc)
            local = self._local_fallback(name, args, kwargs)
            return fallback if local is _MISSING else local
        self._slow_replies = 0
        if ResilientRedisCache._warned_local:
            ResilientRedisCache._warned_local = False
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version=version)

    def incr(self, key, delta=1, version=None):
        # A missing key still raises ValueError, as the cache API promises.
        return self._call("incr", delta, key, delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", [], data, timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version=version)

    def clear(self):
        return self._call("clear", None)


class _LocalCopies(LocMemCache):
    """LocMemCache that keeps strings as they are: a str cannot be changed by whoever reads
    it, so the pickling that protects other values is only a copy (a fragment of tens of
    kilobytes, on every read). Anything else is pickled, as LocMemCache does.

    Keys are not validated again: every key here went through the shared cache first
    (a set writes there, a miss reads there), which warns about a bad one. Django's check
    (memcached's rules, through a lazily compiled pattern) cost 6 µs a key, on every read:
    a tenth of a millisecond for the Following page's twenty cards."""

    def validate_key(self, key) -> None:
        pass

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            value = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return value if isinstance(value, str) else pickle.loads(value)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if not isinstance(value, str):
            return super().set(key, value, timeout, version=version)
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)
        return None


class LocalFirstCache(BaseCache):
    """This process's memory in front of the shared cache, for entries that never change.

    Only for keys that carry their tags' versions (serving.cache.tag_token): the
    value under such a key is the same for as long as it exists, so a copy kept in this
    process can never be stale; a new version is a new key. A signed-in article page
    reads half a dozen such fragments: from memory they cost no round trip to Redis.
    Misses fall through to the shared cache (`OPTIONS["SHARED"]`, default "default"), so
    one process's render still serves the others.
    """

    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self._shared_alias = options.get("SHARED", "default")
        self._local = _LocalCopies(
            f"local-first-{location}",
            {"TIMEOUT": params.get("TIMEOUT", DEFAULT_TIMEOUT), "OPTIONS": options},
        )

    @property
    def _shared(self):
        return caches[self._shared_alias]

    def get(self, key, default=None, version=None):
        value = self._local.get(key, _MISSING, version=version)
        if value is _MISSING:
            value = self._shared.get(key, _MISSING, version=version)
            if value is _MISSING:
                return default
            self._local.set(key, value, version=version)
        return value

    def get_many(self, keys, version=None):
        """Local copies, then the rest from the shared cache in one round trip."""
        found, missing = {}, []
        for key in keys:
            value = self._local.get(key, _MISSING, version=version)
            if value is _MISSING:
                missing.append(key)
            else:
                found[key] = value
        if missing:
            shared = self._shared.get_many(missing, version=version)
            for key, value in shared.items():
                self._local.set(key, value, version=version)
            found.update(shared)
        return found

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._shared.set(key, value, timeout, version=version)
        self._local.set(key, value, timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        failed = self._shared.set_many(data, timeout, version=version)
        for key, value in data.items():
            self._local.set(key, value, timeout, version=version)
        return failed

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        added = self._shared.add(key, value, timeout, version=version)
        if added:
            self._local.set(key, value, timeout, version=version)
        return added

    def delete(self, key, version=None):
        self._local.delete(key, version=version)
        return self._shared.delete(key, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._shared.touch(key, timeout, version=version)

    def clear(self):
        # Only this process's copies: the shared cache is cleared through its own alias.
        self._local.clear()
