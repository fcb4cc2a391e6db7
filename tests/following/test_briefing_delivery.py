"""Delivering the briefings: a batch's mails queued with its rows (a killed worker leaves
nothing), one reader's bad mail or refused address fails that reader alone, a batch cut
off half way resumes without repeats, constant queries per batch, no mail to a deleted
account."""

from __future__ import annotations

import logging
import smtplib
import time as time_module
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as account_services
from following import briefings, delivery
from following.models import Delivery
from serving.models import MetricCount
from tests import factories

from .conftest import (
    briefing_reader,
    follow,
    queue_briefings,
    report,
    smtp_sink,
    story_of,
)

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_nothing_and_the_next_run_sends_each_once(topic, settings):
    """A batch's mails are queued as one task row in the batch's transaction: a worker
    killed (SIGKILL) while the batch writes its rows queues nothing and records no day,
    and the next run mails everyone once. PostgreSQL: the batch is held at its insert by
    a table lock, which SQLite cannot show another connection waiting on."""
    if connection.vendor != "postgresql":
        pytest.skip("a lock wait another process can see: PostgreSQL")
    from tests.jobs.worker import manage

    queued = queue_briefings(settings)
    report(hours_ago=1, topics=[topic])
    readers = [briefing_reader(topic) for _ in range(3)]
    table = Delivery._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:  # reads go on; the batch's insert waits
            cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        worker = manage("send_briefings", "--now")
        try:
            pid = _waiting_on_a_lock(worker)
        finally:
            worker.kill()
            worker.communicate(timeout=30)
    # The killed worker's session ends (its transaction rolled back) once the lock is gone
    # and PostgreSQL finds no one at the other end.
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if not cursor.fetchone()[0]:
                break
        time_module.sleep(0.05)
    assert queued.count() == 0 and not Delivery.objects.exists()
    due = timezone.now() + timedelta(days=1, minutes=1)
    assert briefings.send_due(now=due) == (3, 3)
    assert briefings.send_due(now=due) == (0, 0)
    (task,) = queued  # one task for the batch, not one per mail
    assert len(task.args_kwargs["kwargs"]["mails"]) == 3
    assert sorted(Delivery.objects.values_list("user_id", flat=True)) == sorted(
        r.pk for r in readers
    )


def _waiting_on_a_lock(worker) -> int:
    """The pid of the (other process's) session waiting on a lock in this database."""
    for _ in range(600):
        assert worker.poll() is None, worker.communicate()[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND pid <> pg_backend_pid() AND datname = current_database()"
            )
            found = cursor.fetchone()
        if found:
            return found[0]
        time_module.sleep(0.1)
    raise AssertionError("the batch never waited on the lock")


def test_a_mail_that_cannot_be_made_fails_its_reader_alone_once(topic, settings, caplog):
    """A data problem in one reader's mail (here an address with a line break, which no
    header can hold) failed the whole batch, every minute. Now the others' mails go, the
    reader's day records why theirs did not, and it is not retried."""
    queued = queue_briefings(settings)
    report(hours_ago=1, topics=[topic])
    readers = [briefing_reader(topic) for _ in range(3)]
    factories.User.objects.filter(pk=readers[1].pk).update(email="bad\n@example.org")
    due = timezone.now() + timedelta(days=1, minutes=1)
    with caplog.at_level(logging.ERROR, logger="following.briefings"):
        assert briefings.send_due(now=due) == (3, 2)
    assert f"Briefing of reader {readers[1].pk} not composed: BadHeaderError" in caplog.text
    assert "bad\n@example.org" not in caplog.text and "bad@" not in caplog.text  # the row's
    (task,) = queued
    mails = task.args_kwargs["kwargs"]["mails"]
    assert sorted(m[1]["recipients"][0] for m in mails) == sorted(
        [readers[0].email, readers[2].email]
    )
    bad = Delivery.objects.get(user=readers[1])
    assert bad.mailed is False and bad.failure.startswith("not composed: BadHeaderError")
    assert MetricCount.objects.get(name=delivery.FAILED).value == 1
    # The day is done for them: not again this minute, nor after the address is fixed.
    factories.User.objects.filter(pk=readers[1].pk).update(email="fixed@example.org")
    assert briefings.send_due(now=due) == (0, 0)
    assert briefings.send_due(now=due, force=True) == (3, 0)
    assert queued.count() == 1 and Delivery.objects.count() == 3


def test_a_recipient_the_server_refuses_fails_alone_and_is_never_retried(topic, settings, caplog):
    """The mail server refuses one address for good (550 at RCPT): the batch's other
    mails go over the same connection, the refused one is recorded and logged (its row,
    not its address) and counted, and no rerun sends anything again."""
    queued = queue_briefings(settings)
    sink = smtp_sink(settings)
    try:
        report(hours_ago=1, topics=[topic])
        readers = [briefing_reader(topic) for _ in range(12)]  # two chunks of hand-over
        refused = readers[4]
        sink.refuse[refused.email] = "550 5.1.1 No such user here"
        assert briefings.send_due(now=timezone.now() + timedelta(days=1, minutes=1)) == (12, 12)
        (task,) = queued
        mails = task.args_kwargs["kwargs"]["mails"]
        with caplog.at_level(logging.WARNING, logger="following.delivery"):
            assert delivery.deliver_briefings.call(mails=mails) == 11
        row = Delivery.objects.get(user=refused)
        assert row.handed_at is not None and row.failure == "550 5.1.1 No such user here"
        assert f"Briefing of Delivery {row.pk} given up: 550" in caplog.text
        assert refused.email not in caplog.text
        assert MetricCount.objects.get(name=delivery.FAILED).value == 1
        sink.refuse.clear()  # even once the address works again: at most once
        assert delivery.deliver_briefings.call(mails=mails) == 0
    finally:
        sink.stop()
    got = sorted(r for m in sink.messages for r in m.recipients)
    assert got == sorted(r.email for r in readers if r != refused)
    assert Delivery.objects.exclude(failure="").count() == 1


def test_a_recipient_refused_for_now_is_retried_alone(topic, settings):
    """A 4xx at RCPT (a full mailbox, greylisting): the others go; the task fails, so its
    retry (at most TASKS_MAX_ATTEMPTS) sends that reader's mail, once."""
    queued = queue_briefings(settings)
    sink = smtp_sink(settings)
    try:
        report(hours_ago=1, topics=[topic])
        readers = [briefing_reader(topic) for _ in range(3)]
        busy = readers[0]
        sink.refuse[busy.email] = "450 4.2.1 Mailbox busy, try later"
        briefings.send_due(now=timezone.now() + timedelta(days=1, minutes=1))
        (task,) = queued
        mails = task.args_kwargs["kwargs"]["mails"]
        with pytest.raises(delivery.Deferred):
            delivery.deliver_briefings.call(mails=mails)
        row = Delivery.objects.get(user=busy)
        assert row.handed_at is None and row.failure.startswith("450 4.2.1")
        assert sorted(r for m in sink.messages for r in m.recipients) == sorted(
            [readers[1].email, readers[2].email]
        )
        sink.refuse.clear()
        assert delivery.deliver_briefings.call(mails=mails) == 1
        assert delivery.deliver_briefings.call(mails=mails) == 0
    finally:
        sink.stop()
    got = sorted(r for m in sink.messages for r in m.recipients)
    assert got == sorted(r.email for r in readers)
    row.refresh_from_db()
    assert row.handed_at is not None and row.failure == ""
    assert not MetricCount.objects.filter(name=delivery.FAILED).exists()


def test_a_batch_cut_off_half_way_is_resumed_and_nobody_gets_it_twice(topic, settings):
    """The mail server takes two of the batch's five mails, then refuses: the task fails
    and its rerun sends the other three. A worker killed after marking a mail (the rows
    marked before each goes) does not send it again: at most once (following/delivery.py)."""
    from tests.smtp import SmtpSink

    queued = queue_briefings(settings)
    sink = SmtpSink()
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    try:
        report(hours_ago=1, topics=[topic])
        readers = [briefing_reader(topic) for _ in range(6)]
        assert briefings.send_due(now=timezone.now() + timedelta(days=1, minutes=1)) == (6, 6)
        (task,) = queued
        mails = task.args_kwargs["kwargs"]["mails"]
        # A worker killed after marking the sixth reader's row: that mail is not resent.
        Delivery.objects.filter(pk=mails[5][0]).update(handed_at=timezone.now())
        lost = Delivery.objects.get(pk=mails[5][0]).user.email
        sink.accept = 2
        with pytest.raises(smtplib.SMTPDataError):
            delivery.deliver_briefings.call(mails=mails)
        assert Delivery.objects.filter(handed_at__isnull=False).count() == 3  # 2 sent + 1
        sink.accept = None
        assert delivery.deliver_briefings.call(mails=mails) == 3
        assert delivery.deliver_briefings.call(mails=mails) == 0
    finally:
        sink.controller.stop()
    got = sorted(r for m in sink.messages for r in m.recipients)
    assert got == sorted(r.email for r in readers if r.email != lost)
    assert all("Your briefing" in m.message["Subject"] for m in sink.messages)


def test_constant_queries_per_batch_none_per_mail(topic, settings):
    """Readers each following things of their own (a source, an author, a story) and one
    shared topic: the queries of a batch do not grow with its readers."""
    settings.BRIEFING_BATCH_SIZE = 100

    def queries_for(count: int) -> int:
        readers = [briefing_reader(topic) for _ in range(count)]
        for reader in readers:  # five follows each, of every kind, most of them its own
            source = factories.SourceFactory()
            lead = report(hours_ago=1, source=source, topics=[topic], byline=f"Writer {reader.pk}")
            follow(reader, "source", source.slug)
            follow(reader, "story", story_of(lead).slug)
            follow(reader, "author", lead.byline_slug)
        due = timezone.now() + timedelta(days=1, minutes=1)
        with CaptureQueriesContext(connection) as ctx:
            assert briefings.send_batch(now=due) == (count, count)
        return len(ctx.captured_queries)

    one, three, five = queries_for(1), queries_for(3), queries_for(5)
    assert one == three == five, (one, three, five)


def test_a_queued_briefing_is_not_sent_after_its_reader_deleted_their_account(topic, settings):
    # The batch queues finished mails; a reader who deletes their account before the
    # worker hands them over (their day's row erased with the rest) gets no mail.
    queued = queue_briefings(settings)
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report(hours_ago=1, topics=[topic])
    leaving, staying = briefing_reader(topic), briefing_reader(topic)
    assert briefings.send_due(now=timezone.now() + timedelta(days=1, minutes=1)) == (2, 2)
    address = leaving.email
    account_services.delete_account(user=leaving)
    (task,) = queued
    assert delivery.deliver_briefings.call(mails=task.args_kwargs["kwargs"]["mails"]) == 1
    assert [m.recipients() for m in mail.outbox] == [[staying.email]]
    assert address not in str([m.recipients() for m in mail.outbox])
