"""Local times: when a reader's chosen time next comes in their time zone."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta


def next_local_time(at: time, zone: str, after: datetime) -> datetime:
    """The first instant after `after` at which the clock in `zone` shows `at` (a time
    skipped by a daylight-saving change counts as the hour after it)."""
    tz = zoneinfo.ZoneInfo(zone)
    day = after.astimezone(tz).date()
    for offset in range(3):
        candidate = _aware(day + timedelta(days=offset), at, tz)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: one of three days is later")


def local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date()


def _aware(day: date, at: time, tz: zoneinfo.ZoneInfo) -> datetime:
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    # A wall time inside a spring-forward gap does not exist: round trip through UTC
    # moves it past the gap.
    return aware.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(tz)
