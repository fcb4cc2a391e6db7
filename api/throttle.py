"""Request limits for the API: fixed windows counted in the shared cache.

Anonymous readers are counted by address; an app sending X-Session-Token by a hash of
its token, when the token is a live session (allauth's token strategy looks it up): a
made-up or expired token is counted as anonymous, by address. Every request with a live
token also counts against its address, at the token limit, so an address cannot buy a
bigger budget by signing in many times. The counters live in the
default cache (Redis in production), so the limits hold across app servers.

Counting every request in Redis would cost a cache hit (which needs no Redis at all) two
or three round trips, a third of its speed. So each process counts locally and adds its
count to the shared one every SYNC_BATCH requests or SYNC_SECONDS, and at every request
once a client has used half its budget. Below half a budget nobody is near the limit;
past it the count is exact but for what other processes have not yet added (at most
SYNC_BATCH requests each, for at most SYNC_SECONDS).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from serving.client import client_ip as serving_client_ip

KEY_PREFIX = "api:rate:"
SYNC_BATCH = 16
SYNC_SECONDS = 1.0
LOCAL_MAX_ENTRIES = 10_000


class _Counts:
    """This process's view of each window: the shared count when last added to, plus the
    requests counted here since."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        # key -> [shared count, local count not yet added, time of last sync, window end]
        self.entries: dict[str, list] = {}

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()

    def _prune(self, now: float) -> None:
        if len(self.entries) > LOCAL_MAX_ENTRIES:
            self.entries = {k: e for k, e in self.entries.items() if e[3] > now}
            if len(self.entries) > LOCAL_MAX_ENTRIES:
                self.entries.clear()


counts = _Counts()


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int

    @classmethod
    def parse(cls, value: str) -> Rate:
        """ "120/60": 120 requests per 60 seconds."""
        requests, _, seconds = value.partition("/")
        return cls(int(requests), int(seconds or 60))


def client_ip(request: HttpRequest) -> str:
    # The site's one rule for the client address (serving/client.py: X-Forwarded-For
    # from TRUSTED_PROXY_COUNT proxies), as for comments and allauth's limits.
    return serving_client_ip(request) or "unknown"


def _add_shared(key: str, n: int, timeout: int) -> int:
    """Add n to the shared count; the new total."""
    if cache.add(key, n, timeout=timeout):
        return n
    try:
        return cache.incr(key, n)
    except ValueError:  # expired between the two calls
        cache.add(key, n, timeout=timeout)
        return n


def _hit(bucket: str, rate: Rate, now: float) -> int | None:
    """Count one request in `bucket`; seconds to wait when over the limit, else None."""
    window = int(now // rate.seconds)
    key = f"{KEY_PREFIX}{bucket}:{window}"
    with counts.lock:
        entry = counts.entries.get(key)
        if entry is None:
            counts._prune(now)
            entry = counts.entries[key] = [0, 0, now, (window + 1) * rate.seconds]
        entry[1] += 1
        count = entry[0] + entry[1]
        pending = 0
        if entry[1] >= SYNC_BATCH or now - entry[2] >= SYNC_SECONDS or count * 2 > rate.requests:
            pending, entry[1], entry[2] = entry[1], 0, now
    if pending:
        shared = _add_shared(key, pending, rate.seconds + 1)
        with counts.lock:
            entry[0] = max(entry[0], shared)
            count = entry[0] + entry[1]
    if count > rate.requests:
        return max(1, int((window + 1) * rate.seconds - now) + 1)
    return None


def _live_session(token: str) -> bool:
    """Whether the token names a session (one indexed lookup); allauth's strategy, so a
    different HEADLESS_TOKEN_STRATEGY is honoured."""
    from allauth.headless import app_settings  # reads settings: not at import time

    return app_settings.TOKEN_STRATEGY.lookup_session(token) is not None


def check(request: HttpRequest, now: float | None = None) -> int | None:
    """None when the request may go on, else the seconds to wait (for Retry-After)."""
    now = time.time() if now is None else now
    token = request.headers.get("X-Session-Token")
    token_rate = Rate.parse(settings.API_RATE_TOKEN)
    if token and _live_session(token):
        digest = hashlib.sha256(token.encode()).hexdigest()[:32]
        wait = _hit(f"token:{digest}", token_rate, now)
        if wait:
            return wait
        return _hit(f"ip:{client_ip(request)}:t", token_rate, now)
    return _hit(f"ip:{client_ip(request)}", Rate.parse(settings.API_RATE_ANON), now)
