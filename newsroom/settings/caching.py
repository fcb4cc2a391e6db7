"""Caches: Redis or a shared cache on local disk, the page cache, fragments, purges, sessions."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .core import DEBUG, VAR_DIR
from .env import env_bool, env_float, env_int, env_list, env_str

# Cache: Redis shared by every app server when REDIS_URL is set, else a cache on local disk
# shared by every process of this machine (serving/cache_disk.py; README, design decisions).
CACHE_DIR = Path(env_str("CACHE_DIR", str(VAR_DIR / "cache")))
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # RedisCache that answers "miss" instead of raising while Redis is down.
            "BACKEND": "serving.cache_backend.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "newsroom"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "serving.cache_disk.SharedDiskCache",
            "LOCATION": str(CACHE_DIR),
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "newsroom"),
            "OPTIONS": {"size_limit": env_int("CACHE_DISK_MB", 1024) * 2**20},
        }
    }
# Rate-limit counters (allauth's, the API's; the comment flood rule reads the database):
# while Redis is unreachable these keys live in each process's memory, so the limits hold
# per process instead of refusing everyone (serving/cache_backend.py).
CACHE_LOCAL_FALLBACK_PREFIXES = ("allauth:rl:", "api:rate:")
# Fragments and lookups keyed by the content version (serving/cache.py): never changed
# once written, so each process keeps copies in memory in front of the shared cache.
CACHES["fragments"] = {
    "BACKEND": "serving.cache_backend.LocalFirstCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": env_int("FRAGMENT_LOCAL_ENTRIES", 1000)},
}

# Sessions in the database only. cached_db would save a query per signed-in request, but
# its copy in the cache outlives a logout whenever the cache fails to delete it (Redis
# briefly down, or per-process memory without Redis), so a signed-out cookie could still
# work. Instead the session's row names its user and one query reads both
# (accounts/sessions.py, with its AuthenticationMiddleware): the database stays the truth.
SESSION_ENGINE = "accounts.sessions"

# Whole-page cache for anonymous readers (serving/cache.py). Pages are invalidated at once
# by the versions of their dependency tags (serving/tags.py); the timeout only bounds
# memory. The same with Redis or the cache on disk: every process shares either.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_TIMEOUT = env_int("PAGE_CACHE_TIMEOUT", 600)
# Each process also keeps its recent pages and the tag versions it read in memory, valid
# while the shared cache's change counter stays the same (serving/tags.py); it reads that
# counter at most this often (seconds): how soon other app servers see a change. The disk
# cache also publishes the counter in memory every process maps, so on the default set-up
# a change shows at every process's next request and this is only the fallback.
PAGE_CACHE_LOCAL_SECONDS = env_float("PAGE_CACHE_LOCAL_SECONDS", 0.5)
# How much of that memory per process: pages (most recently served first), and megabytes.
PAGE_CACHE_LOCAL_ENTRIES = env_int("PAGE_CACHE_LOCAL_ENTRIES", 2000)
PAGE_CACHE_LOCAL_MB = env_int("PAGE_CACHE_LOCAL_MB", 64)
# A stale page is still served for up to this many seconds while one request renders it.
PAGE_CACHE_GRACE_SECONDS = env_float("PAGE_CACHE_GRACE_SECONDS", 5.0)
# A page whose tags changed while it rendered may hold the state from before the change:
# it is kept only this long (and shared caches are told so). The margin: how far the
# clocks of two app servers may differ.
PAGE_CACHE_SETTLE_SECONDS = env_float("PAGE_CACHE_SETTLE_SECONDS", 1.0)
PAGE_CACHE_CLOCK_MARGIN = env_float("PAGE_CACHE_CLOCK_MARGIN", 0.05)
# Cache-Control of cacheable anonymous pages: browsers keep them PAGE_CACHE_MAX_AGE
# seconds, shared caches (Varnish, a CDN), which are purged on writes, PAGE_CACHE_S_MAXAGE.
# 0 by default: a browser revalidates every page with its ETag (a 304 from Varnish or the
# page cache), so a visitor who comes back never sees a comment count older than a write.
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 0)
PAGE_CACHE_S_MAXAGE = env_int("PAGE_CACHE_S_MAXAGE", PAGE_CACHE_TIMEOUT)
# HTTP caches to purge by tag after a write commits (serving/purge.py): comma-separated
# URLs that accept `PURGE` with an `xkey` header, e.g. http://127.0.0.1:6081/ for the
# Varnish in deploy/varnish/. Empty: no purging.
PURGE_URLS = env_list("PURGE_URLS", "")
PURGE_TIMEOUT = env_float("PURGE_TIMEOUT", 2.0)
# Sent as `X-Purge-Secret` with every PURGE (serving/purge.py); the VCL refuses a PURGE
# without it (deploy/varnish/default.vcl reads the same value from varnishd's environment).
PURGE_SECRET = env_str("PURGE_SECRET", "")
if PURGE_URLS and not PURGE_SECRET and not DEBUG:
    raise ImproperlyConfigured("PURGE_SECRET must be set when PURGE_URLS is (DEBUG off).")
