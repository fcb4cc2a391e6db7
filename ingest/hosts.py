"""Politeness towards the sites full text is fetched from, across every task worker.

One request at a time per host, and FULLTEXT_DELAY seconds between the end of one request
and the start of the next: both are kept in the database (`HostSlot`), so two workers on
two machines fetching from the same newspaper still take turns. A slot is claimed with
one conditional UPDATE (free, and its pause over), which the database runs atomically on
SQLite and PostgreSQL alike; a worker that dies holding it frees it when `held_until`
passes. robots.txt is fetched once per host and kept in the cache for
FULLTEXT_ROBOTS_TTL seconds, and read for our user agent's token (NewsroomBot).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from .fetch import FetchError, fetch
from .models import HostSlot

AGENT_TOKEN = "NewsroomBot"
ROBOTS_MAX_BYTES = 500 * 1024  # Google reads the first 500 KiB
ROBOTS_UNREACHABLE_TTL = 600  # a 5xx or no answer: try again in ten minutes


class HostBusy(Exception):
    """The host's slot was not free before the caller's deadline."""


def _claim(host: str, hold: float) -> float:
    """Claim the slot; return 0 on success, else seconds worth waiting before trying again."""
    now = timezone.now()
    try:
        HostSlot.objects.get_or_create(host=host, defaults={"next_allowed_at": now})
    except IntegrityError:  # another worker created it a moment ago
        pass
    claimed = (
        HostSlot.objects.filter(host=host, next_allowed_at__lte=now)
        .filter(Q(held_until__isnull=True) | Q(held_until__lt=now))
        .update(held_until=now + timedelta(seconds=hold))
    )
    if claimed:
        return 0.0
    slot = HostSlot.objects.get(host=host)
    wake = slot.next_allowed_at
    if slot.held_until and slot.held_until > now:
        # Held: its end (and the pause after it) is not known yet; look again soon.
        return min(0.25, max((slot.held_until - now).total_seconds(), 0.01))
    return max((wake - now).total_seconds(), 0.01)


@contextmanager
def polite(host: str, *, deadline: float):
    """Hold `host`'s slot for one request: waits for the other workers and the pause.

    `deadline` is a time.monotonic() value; HostBusy when the slot is not had by then.
    """
    hold = (settings.FEED_DEADLINE or 3 * settings.FEED_TIMEOUT) + 5
    while wait := _claim(host, hold):
        if time.monotonic() + wait > deadline:
            raise HostBusy(f"{host} was busy until the end of this run")
        time.sleep(wait)
    try:
        yield
    finally:
        HostSlot.objects.filter(host=host).update(
            held_until=None,
            next_allowed_at=timezone.now() + timedelta(seconds=settings.FULLTEXT_DELAY),
        )


def robots_allows(url: str, *, deadline: float) -> bool:
    """Whether the site's robots.txt lets NewsroomBot fetch `url` (RFC 9309: a 4xx
    robots.txt allows everything, an unreachable one nothing for now)."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    key = f"ingest:robots:{origin}"
    text = cache.get(key)
    if text is None:
        text, ttl = _fetch_robots(origin, host=parts.hostname or "", deadline=deadline)
        cache.set(key, text, ttl)
    if text == "":
        return True
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return parser.can_fetch(AGENT_TOKEN, url)


DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


def _fetch_robots(origin: str, *, host: str, deadline: float) -> tuple[str, int]:
    try:
        with polite(host, deadline=deadline):
            result = fetch(
                f"{origin}/robots.txt",
                max_bytes=ROBOTS_MAX_BYTES,
                accept="text/plain",
                deadline=deadline,
            )
    except FetchError as exc:
        if 400 <= exc.status < 500:
            return "", settings.FULLTEXT_ROBOTS_TTL
        return DISALLOW_ALL, ROBOTS_UNREACHABLE_TTL
    return result.body.decode("utf-8", errors="replace"), settings.FULLTEXT_ROBOTS_TTL
