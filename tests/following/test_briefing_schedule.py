"""The morning briefing's schedule: seven o'clock local time in every zone, across DST
gaps, once per reader and day however often the scheduler runs, no task for a reader no
task would mail, nothing sent when there is nothing to say."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from following import briefings
from following.models import Delivery, ReaderSettings
from tests import factories

from .conftest import (
    briefing_reader,
    queue_briefings,
    report,
)

pytestmark = pytest.mark.django_db

SEOUL, NEW_YORK = "Asia/Seoul", "America/New_York"


def _local(zone: str, hour: int, after: datetime) -> datetime:
    """The next `hour`:00 in `zone` after `after`."""
    tz = zoneinfo.ZoneInfo(zone)
    day = after.astimezone(tz).date()
    moment = datetime.combine(day, time(hour), tzinfo=tz)
    return moment if moment > after else moment + timedelta(days=1)


def test_seoul_and_new_york_readers_each_get_theirs_at_seven_local(topic):
    report(hours_ago=1, topics=[topic])
    seoul, new_york = briefing_reader(topic, SEOUL), briefing_reader(topic, NEW_YORK)
    now = timezone.now()
    seoul_seven, ny_seven = _local(SEOUL, 7, now), _local(NEW_YORK, 7, now)
    assert ReaderSettings.objects.get(user=seoul).next_mail_at == seoul_seven
    assert ReaderSettings.objects.get(user=new_york).next_mail_at == ny_seven
    first, second = sorted([(seoul_seven, seoul), (ny_seven, new_york)], key=lambda p: p[0])
    briefings.send_due(now=first[0] - timedelta(minutes=1))
    assert mail.outbox == []
    briefings.send_due(now=first[0] + timedelta(seconds=30))
    assert [m.to for m in mail.outbox] == [[first[1].email]]
    briefings.send_due(now=second[0] + timedelta(seconds=30))
    assert [m.to for m in mail.outbox] == [[first[1].email], [second[1].email]]
    day = Delivery.objects.get(user=seoul).day
    assert day == seoul_seven.astimezone(zoneinfo.ZoneInfo(SEOUL)).date()


def test_a_dst_gap_time_is_sent_after_the_gap():
    from following.schedule import next_local_time

    # 02:30 does not exist in New York on 8 March 2026: the clocks jump from 02:00 to 03:00.
    after = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 local
    got = next_local_time(time(2, 30), NEW_YORK, after)
    assert got == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT


def test_never_twice_a_day_however_often_it_runs(topic):
    report(hours_ago=1, topics=[topic])
    reader = briefing_reader(topic)
    due = ReaderSettings.objects.get(user=reader).next_mail_at + timedelta(seconds=1)
    briefings.send_due(now=due)
    briefings.send_due(now=due)
    briefings.send_due(now=due, force=True)  # what `send_briefings --now` does
    # Someone moves the clock back: the row is due again, the day is already done.
    ReaderSettings.objects.filter(user=reader).update(next_mail_at=due - timedelta(hours=1))
    briefings.send_due(now=due)
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(user=reader).count() == 1


def test_nothing_to_say_nothing_sent(topic):
    reader = briefing_reader(topic)
    due = ReaderSettings.objects.get(user=reader).next_mail_at + timedelta(seconds=1)
    assert briefings.send_due(now=due) == (1, 0)
    assert mail.outbox == []
    assert Delivery.objects.get(user=reader).mailed is False
    assert ReaderSettings.objects.get(user=reader).next_mail_at > due


def test_the_scheduler_starts_no_task_for_a_reader_no_task_would_mail(topic, settings):
    # A deactivated reader (or one without an address) keeps a due time no run moves on:
    # counted as due, they started BRIEFING_TASKS idle tasks every minute, forever.
    queue_briefings(settings)
    started = DBTaskResult.objects.filter(task_path="following.briefings.send_due_briefings")
    reader = briefing_reader(topic)
    factories.User.objects.filter(pk=reader.pk).update(is_active=False)
    later = timezone.now() + timedelta(days=1, minutes=1)
    briefings.enqueue_due(since=None, now=later)
    assert briefings.send_due(now=later) == (0, 0) and started.count() == 0
    factories.User.objects.filter(pk=reader.pk).update(is_active=True)
    briefings.enqueue_due(since=None, now=later)
    assert started.count() == settings.BRIEFING_TASKS
