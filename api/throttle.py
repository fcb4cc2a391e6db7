"""Request limits for the API: fixed windows counted in the shared cache.

Anonymous readers are counted by address; an app sending X-Session-Token by a hash of
its token. Every request also counts against its address, at the token limit, so an
address cannot buy a bigger budget by sending made-up tokens. The counters live in the
default cache (Redis in production), so the limits hold across app servers.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

KEY_PREFIX = "api:rate:"


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
    # The address the site trusts everywhere else (comments, allauth): REMOTE_ADDR, which a
    # proxy in front must set right (docs/deployment.md).
    return request.META.get("REMOTE_ADDR") or "unknown"


def _hit(bucket: str, rate: Rate, now: float) -> int | None:
    """Count one request in `bucket`; seconds to wait when over the limit, else None."""
    window = int(now // rate.seconds)
    key = f"{KEY_PREFIX}{bucket}:{window}"
    if cache.add(key, 1, timeout=rate.seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, timeout=rate.seconds + 1)
            count = 1
    if count > rate.requests:
        return max(1, int((window + 1) * rate.seconds - now) + 1)
    return None


def check(request: HttpRequest, now: float | None = None) -> int | None:
    """None when the request may go on, else the seconds to wait (for Retry-After)."""
    now = time.time() if now is None else now
    token = request.headers.get("X-Session-Token")
    token_rate = Rate.parse(settings.API_RATE_TOKEN)
    if token:
        digest = hashlib.sha256(token.encode()).hexdigest()[:32]
        wait = _hit(f"token:{digest}", token_rate, now)
        if wait:
            return wait
        return _hit(f"ip:{client_ip(request)}:t", token_rate, now)
    return _hit(f"ip:{client_ip(request)}", Rate.parse(settings.API_RATE_ANON), now)
