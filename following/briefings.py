"""The morning briefing and story updates: due readers claimed by any number of workers,
each mailed at most once per local day.

`send_due(now=)` takes a batch of due readers with `SELECT ... FOR UPDATE SKIP LOCKED`
(two workers never take the same reader), composes each one's mail from the run's
`Edition` (what there is to tell, read and rendered once per followed thing and story,
not per reader), inserts the day's `Delivery` rows and queues the batch's mails as one
task (following/delivery.py) in the same transaction, and moves each reader's
`next_mail_at` on. A worker killed mid-batch commits nothing of it: the readers are due
again and the next run sends them. `Delivery`'s unique (reader, day) makes a second mail
of the same day an IntegrityError whatever ran it (the command, a clock moved back, a
second scheduler), never a mail; the delivery task marks each row before its mail goes,
so a rerun after a killed worker sends nothing twice (at most once: delivery.py). A
reader whose mail cannot be made fails alone (`_compose`), as a recipient the mail
server refuses does (delivery.py): the batch's other mails go.
"""

from __future__ import annotations

import logging
import time
import traceback
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from serving import metrics

from .delivery import FAILED, hand_over, prepare
from .edition import Edition
from .mail import briefing_message
from .models import Delivery, Follow, ReaderSettings
from .schedule import local_day
from .selectors import news_since, story_news

log = logging.getLogger(__name__)

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
    *, now: datetime | None = None, force: bool = False, user_ids: list[int] | None = None,
    edition: Edition | None = None,
) -> tuple[int, int]:  # fmt: skip
    """One transaction: claim up to BRIEFING_BATCH_SIZE due readers, mail those with
    something to say. Returns (readers handled, mails queued). Queries: a constant number
    per batch, none per mail (tests/following/test_briefing_delivery.py)."""
    now = now or timezone.now()
    edition = edition or Edition(now)
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
        follows: dict[int, list[Follow]] = {i: [] for i in ids}
        for follow in Follow.objects.filter(user_id__in=ids):
            follows[follow.user_id].append(follow)
        todo = [r for r in batch if (r.user_id, days[r.user_id]) not in done]
        mails = _compose(todo, follows, days, edition)
        for reader in batch:
            reader.schedule(now)
        # The day's rows and the queued mails commit together, or neither does.
        Delivery.objects.bulk_create([delivery for delivery, _ in mails])
        _save_schedules(batch)
        hand_over([(delivery.pk, mail) for delivery, mail in mails if mail is not None])
    return len(batch), sum(1 for _, mail in mails if mail is not None)


def _save_schedules(batch: list[ReaderSettings]) -> None:
    """The batch's `next_mail_at` and `last_mail_at` in one statement. On PostgreSQL an
    UPDATE from arrays of the values: Django building bulk_update's CASE per row and field
    took a fifth of composing's CPU (bench/briefing_profile.py); elsewhere bulk_update."""
    if connection.vendor != "postgresql":
        ReaderSettings.objects.bulk_update(batch, ["next_mail_at", "last_mail_at"])
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ReaderSettings._meta.db_table} AS r"
            " SET next_mail_at = v.next_mail_at, last_mail_at = v.last_mail_at"
            " FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[])"
            " AS v(user_id, next_mail_at, last_mail_at) WHERE r.user_id = v.user_id",
            [
                [r.user_id for r in batch],
                [r.next_mail_at for r in batch],
                [r.last_mail_at for r in batch],
            ],
        )


def _compose(readers, follows, days, edition: Edition) -> list[tuple[Delivery, object]]:
    """Each reader's Delivery row and `prepare`d mail (None: nothing to say, nothing sent;
    the day still counts as done). Queries: a few for the whole batch.

    A reader whose mail cannot be made (a data problem: an address with a line break, a
    template that breaks on one story) gets none today, logged and counted, with the
    reason on their day's row: the others' mails go, and the day counts as done, so it
    is not retried every minute nor sent twice. Nothing here queries the database per
    reader, so such an error leaves the batch's transaction usable."""
    since = {r.user_id: edition.since(r.last_mail_at) for r in readers}
    briefed = [r for r in readers if r.briefing]
    if briefed:
        edition.read([follows[r.user_id] for r in briefed], min(since[r.user_id] for r in briefed))
    tops = {r.user_id: edition.top(follows[r.user_id], since[r.user_id]) for r in briefed}
    blocks = edition.blocks({i for top in tops.values() for i in top})
    updating = [r for r in readers if r.story_updates]
    news = story_news(
        {f.story_id for r in updating for f in follows[r.user_id] if f.story_id},
        after=min((since[r.user_id] for r in updating), default=edition.now),
    )
    mails, failed = [], 0
    for reader in readers:
        stories = [blocks[i] for i in tops.get(reader.user_id, []) if i in blocks]
        updates = []
        if reader.story_updates:
            updates = news_since(news, follows[reader.user_id], since[reader.user_id])
        delivery = Delivery(user_id=reader.user_id, day=days[reader.user_id])
        delivery.stories, delivery.updates = len(stories), len(updates)
        mail = None
        if stories or updates:
            try:
                mail = prepare(
                    briefing_message(
                        user=reader.user,
                        day=delivery.day,
                        stories=stories,
                        updates=updates,
                        with_briefing=reader.briefing,
                        frames=edition.frames,
                    )
                )
            except Exception as error:  # noqa: BLE001 - this reader's alone: logged, kept
                # The frames and the error's type, not its message, which may name the
                # address (a log is read by more people; the row keeps the message).
                log.error(
                    "Briefing of reader %s not composed: %s\n%s",
                    reader.user_id,
                    type(error).__name__,
                    "".join(traceback.format_tb(error.__traceback__)),
                )
                delivery.failure = f"not composed: {type(error).__name__}: {error}"[:300]
                failed += 1
            else:
                delivery.mailed = True
                reader.last_mail_at = edition.now
        mails.append((delivery, mail))
    if failed:
        metrics.count(FAILED, amount=failed)
    return mails


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
        edition = Edition(now or timezone.now())
        totals = [
            send_batch(now=edition.now, force=True, user_ids=chunk, edition=edition)
            for chunk in chunks
        ]
        return sum(t[0] for t in totals), sum(t[1] for t in totals)
    deadline = time.monotonic() + budget
    edition = Edition(now or timezone.now())
    readers = mails = 0
    while time.monotonic() < deadline:
        handled, sent = send_batch(now=edition.now, user_ids=user_ids, edition=edition)
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
    BRIEFING_TASKS tasks; the row locks share the readers out among them. Due as the
    tasks count it (`_due`): a deactivated reader's time, which no run moves on, started
    idle tasks every minute."""
    if _due(now, force=False, user_ids=None).exists():
        for _ in range(settings.BRIEFING_TASKS):
            send_due_briefings.enqueue()
