"""The morning briefing and story updates: due readers claimed by any number of workers,
each mailed at most once per local day.

`send_due(now=)` takes a batch of due readers with `SELECT ... FOR UPDATE SKIP LOCKED`
(two workers never take the same reader), composes each one's mail, inserts the day's
`Delivery` rows and queues the mails (jobs.mail: a task row) in the same transaction, and
moves each reader's `next_mail_at` on. A worker killed mid-batch commits nothing of it:
the readers are due again and the next run sends them. `Delivery`'s unique (reader, day)
makes a second mail of the same day an IntegrityError whatever ran it (the command, a
clock moved back, a second scheduler), never a mail.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .mail import briefing_message
from .models import Delivery, Follow, ReaderSettings
from .schedule import local_day
from .selectors import story_updates, top_stories

log = logging.getLogger(__name__)

FIRST_BRIEFING_WINDOW = timedelta(days=1)
TASK_BUDGET_SECONDS = 240.0


def _due(now: datetime | None, *, force: bool, user_ids: list[int] | None):
    query = ReaderSettings.objects.filter(user__is_active=True, user__is_deleted=False)
    query = query.exclude(user__email="")
    if force:
        query = query.filter(next_mail_at__isnull=False)
    else:
        query = query.filter(next_mail_at__lte=now)
    if user_ids is not None:
        query = query.filter(user_id__in=user_ids)
    return query


def send_batch(
    *, now: datetime | None = None, force: bool = False, user_ids: list[int] | None = None
) -> tuple[int, int]:
    """One transaction: claim up to BRIEFING_BATCH_SIZE due readers, mail those with
    something to say. Returns (readers handled, mails queued)."""
    now = now or timezone.now()
    with transaction.atomic():
        batch = list(
            _due(now, force=force, user_ids=user_ids)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .order_by("next_mail_at")[: settings.BRIEFING_BATCH_SIZE]
        )
        if not batch:
            return 0, 0
        ids = [r.user_id for r in batch]
        days = {r.user_id: local_day(now, r.time_zone) for r in batch}
        done = set(
            Delivery.objects.filter(user_id__in=ids, day__in=set(days.values())).values_list(
                "user_id", "day"
            )
        )
        follows: dict[int, list[Follow]] = {}
        for follow in Follow.objects.filter(user_id__in=ids):
            follows.setdefault(follow.user_id, []).append(follow)
        deliveries, mailed = [], 0
        for reader in batch:
            day = days[reader.user_id]
            if (reader.user_id, day) not in done:
                delivery = _compose_and_queue(reader, follows.get(reader.user_id, []), day, now)
                deliveries.append(delivery)
                mailed += delivery.mailed
            reader.schedule(now)
        # The day's rows and the queued mails commit together, or neither does.
        Delivery.objects.bulk_create(deliveries)
        ReaderSettings.objects.bulk_update(batch, ["next_mail_at", "last_mail_at"])
    return len(batch), mailed


def _compose_and_queue(reader: ReaderSettings, follows: list[Follow], day, now) -> Delivery:
    since = reader.last_mail_at or now - FIRST_BRIEFING_WINDOW
    stories = top_stories(follows, since=since) if reader.briefing else []
    updates = story_updates(follows, since=since) if reader.story_updates else []
    delivery = Delivery(user_id=reader.user_id, day=day, stories=len(stories))
    delivery.updates = len(updates)
    if not stories and not updates:
        return delivery  # nothing to say, nothing sent (the day still counts as done)
    briefing_message(
        user=reader.user, day=day, stories=stories, updates=updates,
        with_briefing=reader.briefing,
    ).send()  # fmt: skip
    delivery.mailed = True
    reader.last_mail_at = now
    return delivery


def send_due(
    *, now: datetime | None = None, force: bool = False, user_ids: list[int] | None = None,
    budget: float = TASK_BUDGET_SECONDS,
) -> tuple[int, int]:  # fmt: skip
    """Batches until no reader is due or the budget is spent: (readers, mails). With
    `force` (the command's --now), every reader who takes a mail, each once."""
    if force:
        user_ids = list(_due(now, force=True, user_ids=user_ids).values_list("user_id", flat=True))
        size = settings.BRIEFING_BATCH_SIZE
        chunks = [user_ids[i : i + size] for i in range(0, len(user_ids), size)]
        totals = [send_batch(now=now, force=True, user_ids=chunk) for chunk in chunks]
        return sum(t[0] for t in totals), sum(t[1] for t in totals)
    deadline = time.monotonic() + budget
    readers = mails = 0
    while time.monotonic() < deadline:
        handled, sent = send_batch(now=now, user_ids=user_ids)
        readers, mails = readers + handled, mails + sent
        if not handled:
            break
    return readers, mails


@task()
def send_due_briefings() -> str:
    """The worker's part: mail every due reader (several tasks share the work)."""
    readers, mails = send_due()
    return f"{mails} mails to {readers} readers"


def enqueue_due(*, since: datetime | None, now: datetime) -> None:
    """The scheduler's part (SCHEDULER_JOBS, every minute): when readers are due, start
    BRIEFING_TASKS tasks; the row locks share the readers out among them."""
    if ReaderSettings.objects.filter(next_mail_at__lte=now).exists():
        for _ in range(settings.BRIEFING_TASKS):
            send_due_briefings.enqueue()
