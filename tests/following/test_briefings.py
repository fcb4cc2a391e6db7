"""The morning briefing: local times, once per reader and day, resumable, one-click
unsubscribe, constant queries per mail, nothing sent when there is nothing to say."""

from __future__ import annotations

import email
import logging
import smtplib
import threading
import time as time_module
import zoneinfo
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import mail as account_mail
from accounts import services as account_services
from articles import publishing
from articles.models import Article
from following import briefings, delivery, services, tokens
from following.models import Delivery, ReaderSettings
from serving.models import MetricCount
from stories.models import KeyPoint
from tests import factories

from .conftest import follow, report, story_of

pytestmark = pytest.mark.django_db

SEOUL, NEW_YORK = "Asia/Seoul", "America/New_York"


def _reader(topic, zone: str = "UTC", *, at=time(7, 0), briefing=True, updates=False):
    reader = factories.UserFactory()
    follow(reader, "topic", topic.slug)
    services.update_mail_settings(
        user=reader, briefing=briefing, briefing_time=at, time_zone=zone, story_updates=updates
    )
    # "Since the last briefing": two days ago, so today's reports are all new.
    ReaderSettings.objects.filter(user=reader).update(
        last_mail_at=timezone.now() - timedelta(days=2)
    )
    return reader


def _local(zone: str, hour: int, after: datetime) -> datetime:
    """The next `hour`:00 in `zone` after `after`."""
    tz = zoneinfo.ZoneInfo(zone)
    day = after.astimezone(tz).date()
    moment = datetime.combine(day, time(hour), tzinfo=tz)
    return moment if moment > after else moment + timedelta(days=1)


def test_seoul_and_new_york_readers_each_get_theirs_at_seven_local(topic):
    report(hours_ago=1, topics=[topic])
    seoul, new_york = _reader(topic, SEOUL), _reader(topic, NEW_YORK)
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
    reader = _reader(topic)
    due = ReaderSettings.objects.get(user=reader).next_mail_at + timedelta(seconds=1)
    briefings.send_due(now=due)
    briefings.send_due(now=due)
    briefings.send_due(now=due, force=True)  # what `send_briefings --now` does
    # Someone moves the clock back: the row is due again, the day is already done.
    ReaderSettings.objects.filter(user=reader).update(next_mail_at=due - timedelta(hours=1))
    briefings.send_due(now=due)
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(user=reader).count() == 1


def _queued(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.EMAIL_BACKEND = "jobs.mail.QueuedEmailBackend"
    return DBTaskResult.objects.filter(task_path="following.delivery.deliver_briefings")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_nothing_and_the_next_run_sends_each_once(topic, settings):
    """A batch's mails are queued as one task row in the batch's transaction: a worker
    killed (SIGKILL) while the batch writes its rows queues nothing and records no day,
    and the next run mails everyone once. PostgreSQL: the batch is held at its insert by
    a table lock, which SQLite cannot show another connection waiting on."""
    if connection.vendor != "postgresql":
        pytest.skip("a lock wait another process can see: PostgreSQL")
    from tests.jobs.worker import manage

    queued = _queued(settings)
    report(hours_ago=1, topics=[topic])
    readers = [_reader(topic) for _ in range(3)]
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
    queued = _queued(settings)
    report(hours_ago=1, topics=[topic])
    readers = [_reader(topic) for _ in range(3)]
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


def _smtp(settings):
    from tests.smtp import SmtpSink

    sink = SmtpSink()
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    return sink


def test_a_recipient_the_server_refuses_fails_alone_and_is_never_retried(topic, settings, caplog):
    """The mail server refuses one address for good (550 at RCPT): the batch's other
    mails go over the same connection, the refused one is recorded and logged (its row,
    not its address) and counted, and no rerun sends anything again."""
    queued = _queued(settings)
    sink = _smtp(settings)
    try:
        report(hours_ago=1, topics=[topic])
        readers = [_reader(topic) for _ in range(12)]  # two chunks of hand-over
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
    queued = _queued(settings)
    sink = _smtp(settings)
    try:
        report(hours_ago=1, topics=[topic])
        readers = [_reader(topic) for _ in range(3)]
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

    queued = _queued(settings)
    sink = SmtpSink()
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    try:
        report(hours_ago=1, topics=[topic])
        readers = [_reader(topic) for _ in range(6)]
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


def test_nothing_to_say_nothing_sent(topic):
    reader = _reader(topic)
    due = ReaderSettings.objects.get(user=reader).next_mail_at + timedelta(seconds=1)
    assert briefings.send_due(now=due) == (1, 0)
    assert mail.outbox == []
    assert Delivery.objects.get(user=reader).mailed is False
    assert ReaderSettings.objects.get(user=reader).next_mail_at > due


def test_the_briefing_has_top_stories_key_points_sources_and_both_parts(topic):
    lead = report(hours_ago=3, topics=[topic])
    other = factories.SourceFactory(name="Coast Post")
    report(hours_ago=2, story_of=lead, source=other)
    KeyPoint.objects.create(
        story=story_of(lead), source_article=lead, sentence="The quay reopens on Monday."
    )
    reader = _reader(topic)
    call_command("send_briefings", "--now", "--reader", reader.email, stdout=open("/dev/null", "w"))
    (message,) = mail.outbox
    text = message.body
    assert story_of(lead).lead.title in text and "2 sources cover it" in text
    assert '"The quay reopens on Monday."' in text
    html = message.alternatives[0][0]
    assert "The quay reopens on Monday." in html and "Full coverage" in html
    assert message.subject.startswith("[Newsroom] Your briefing: ")


def test_one_click_unsubscribe_by_post_without_cookies_or_csrf(topic, settings):
    report(hours_ago=1, topics=[topic])
    reader = _reader(topic)
    call_command("send_briefings", "--now", stdout=open("/dev/null", "w"))
    (message,) = mail.outbox
    parsed = email.message_from_bytes(message.message().as_bytes())
    header = " ".join(parsed["List-Unsubscribe"].split())  # unfolded
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mailto, https = (part.strip().strip("<>") for part in header.split(","))
    assert mailto.startswith("mailto:") and "subject=unsubscribe" in mailto
    assert https.startswith(settings.SITE_URL + "/following/unsubscribe/")
    assert reader.email not in header and "ferries" not in header
    path = https.split("://", 1)[1].split("/", 1)[1]
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.get("/" + path).status_code == 200  # a link checker: nothing changes
    assert ReaderSettings.objects.get(user=reader).briefing is True
    response = anonymous.post("/" + path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    found = ReaderSettings.objects.get(user=reader)
    assert found.briefing is False and found.next_mail_at is None
    assert f"/{path}" in message.body  # the footer's link is the same one
    assert anonymous.post("/following/unsubscribe/forged/").status_code == 404


def test_constant_queries_per_batch_none_per_mail(topic, settings):
    """Readers each following things of their own (a source, an author, a story) and one
    shared topic: the queries of a batch do not grow with its readers."""
    settings.BRIEFING_BATCH_SIZE = 100

    def queries_for(count: int) -> int:
        readers = [_reader(topic) for _ in range(count)]
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


def _story_reader(article):
    """A reader of `article`'s story who takes story updates, last mailed a day ago."""
    reader = factories.UserFactory()
    follow(reader, "story", story_of(article).slug)
    services.update_mail_settings(
        user=reader, briefing=False, briefing_time=time(7), time_zone="UTC", story_updates=True
    )
    ReaderSettings.objects.filter(user=reader).update(
        last_mail_at=timezone.now() - timedelta(days=1)
    )
    return reader


def test_story_updates_come_once_a_day_batched(topic, editor):
    first = report(hours_ago=30)
    _story_reader(first)
    report(hours_ago=2, story_of=first, source=factories.SourceFactory(name="Coast Post"))
    report(hours_ago=1, story_of=first, source=factories.SourceFactory(name="Wire Service"))
    publishing.correct(article=first, author=editor, text="An earlier version misnamed the ferry.")
    call_command("send_briefings", "--now", stdout=open("/dev/null", "w"))
    (message,) = mail.outbox
    assert message.subject == "[Newsroom] News on 1 story you follow"
    assert "New report from Coast Post" in message.body
    assert "New report from Wire Service" in message.body
    assert "misnamed the ferry" in message.body
    assert "/following/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_mail_settings_are_saved_from_the_profile_page(client, reader):
    client.force_login(reader)
    data = {"briefing": "on", "briefing_time": "06:45", "time_zone": SEOUL}
    response = client.post("/following/settings/", data)
    assert response.status_code == 302
    found = ReaderSettings.objects.get(user=reader)
    assert (found.briefing, found.briefing_time, found.time_zone) == (True, time(6, 45), SEOUL)
    assert found.next_mail_at.astimezone(zoneinfo.ZoneInfo(SEOUL)).time() == time(6, 45)
    bad = client.post("/following/settings/", {**data, "time_zone": "Mars/Olympus"})
    assert bad.status_code == 400 and "06:45" in bad.content.decode()


def test_a_headline_with_a_line_break_neither_breaks_the_subject_nor_the_batch(topic):
    # Feeds' titles are collapsed on import; an editor's, an API's or the admin's need not
    # be. Django refuses a header with a newline: the whole batch would fail every minute.
    article = report(hours_ago=1, topics=[topic])
    Article.objects.filter(pk=article.pk).update(title="Quay reopens\r\nBcc: all@evil.example")
    first, second = _reader(topic), _reader(topic)
    call_command("send_briefings", "--now", stdout=open("/dev/null", "w"))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    parsed = email.message_from_bytes(mail.outbox[0].message().as_bytes())
    assert parsed["Subject"] == "[Newsroom] Your briefing: Quay reopens Bcc: all@evil.example"
    assert parsed["Bcc"] is None


def test_a_token_stops_only_what_it_names_for_its_reader_and_outlives_a_password_change(
    topic,
):
    reader, other = _reader(topic, updates=True), _reader(topic, updates=True)
    anonymous = Client(enforce_csrf_checks=True)

    def post(token):
        return anonymous.post(f"/following/unsubscribe/{token}/").status_code

    reader.set_password("another-Long-passw0rd")
    reader.save()
    assert post(tokens.make(reader.pk, "updates")) == 200  # no expiry, no password in it
    mine, theirs = (ReaderSettings.objects.get(user=u) for u in (reader, other))
    assert (mine.briefing, mine.story_updates) == (True, False)
    assert (theirs.briefing, theirs.story_updates) == (True, True)
    # Another list's token (a comment notice's), a token edited to name another reader,
    # or a deleted account's: nothing changes.
    assert post(account_mail.unsubscribe_token(other, "reply")) == 404
    forged = tokens.make(reader.pk, "briefing").replace(
        tokens.make(reader.pk, "briefing").split(":")[0],
        tokens.make(other.pk, "briefing").split(":")[0],
    )
    assert post(forged) == 404
    account_services.delete_account(user=other)
    assert post(tokens.make(other.pk, "briefing")) == 404
    assert ReaderSettings.objects.get(user=reader).briefing is True


def _meanwhile(held, waiting) -> None:
    """Run `held()` in a transaction that keeps the rows it wrote locked while `waiting()`
    runs in another thread (another connection) until it waits on that lock; then commit
    and let it finish. PostgreSQL only (row locks, pg_stat_activity)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    errors = []

    def run():
        try:
            waiting()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    with transaction.atomic():
        held()
        thread.start()
        waits = 0
        for _ in range(200):  # until the other thread waits on the row lock
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one per transaction
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND pid <> pg_backend_pid() AND datname = current_database()"
                )
                waits = cursor.fetchone()[0]
            if waits:
                break
            time_module.sleep(0.05)
        assert waits, ("the other thread never waited on the lock", errors)
    thread.join(timeout=30)
    assert not errors


@pytest.mark.django_db(transaction=True)
def test_saving_the_choices_while_a_batch_holds_the_row_keeps_what_the_batch_wrote(topic):
    # The profile's save read the row, then waited on the batch's lock and wrote every
    # field back: the batch's `last_mail_at` went back, so the next briefing repeated the
    # stories of this one (and a visit's `seen_at` could go back the same way).
    reader = _reader(topic)
    sent = timezone.now().replace(microsecond=0)
    _meanwhile(
        lambda: ReaderSettings.objects.filter(user=reader).update(last_mail_at=sent),
        lambda: services.update_mail_settings(
            user=reader, briefing=True, briefing_time=time(8), time_zone="UTC",
            story_updates=True,
        ),
    )  # fmt: skip
    found = ReaderSettings.objects.get(user=reader)
    assert found.last_mail_at == sent and found.briefing_time == time(8)


@pytest.mark.django_db(transaction=True)
def test_unsubscribing_from_the_briefing_leaves_a_choice_saved_meanwhile(topic):
    # The one-click unsubscribe changes only what its token names: a reader who turns
    # story updates on while it runs keeps them, and their next mail stays scheduled.
    reader = _reader(topic)
    _meanwhile(
        lambda: services.update_mail_settings(
            user=reader, briefing=True, briefing_time=time(7), time_zone="UTC",
            story_updates=True,
        ),
        lambda: services.stop_mail(user=reader, what="briefing"),
    )  # fmt: skip
    found = ReaderSettings.objects.get(user=reader)
    assert (found.briefing, found.story_updates) == (False, True)
    assert found.next_mail_at is not None


def test_a_queued_briefing_is_not_sent_after_its_reader_deleted_their_account(topic, settings):
    # The batch queues finished mails; a reader who deletes their account before the
    # worker hands them over (their day's row erased with the rest) gets no mail.
    queued = _queued(settings)
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report(hours_ago=1, topics=[topic])
    leaving, staying = _reader(topic), _reader(topic)
    assert briefings.send_due(now=timezone.now() + timedelta(days=1, minutes=1)) == (2, 2)
    address = leaving.email
    account_services.delete_account(user=leaving)
    (task,) = queued
    assert delivery.deliver_briefings.call(mails=task.args_kwargs["kwargs"]["mails"]) == 1
    assert [m.recipients() for m in mail.outbox] == [[staying.email]]
    assert address not in str([m.recipients() for m in mail.outbox])


def test_story_updates_name_a_story_led_by_a_draft_by_a_published_report():
    # A trusted draft can lead its story (stories/trust.py): the update names the story as
    # its page does, by a published report, never by the draft's headline.
    shown = report(hours_ago=30, source=factories.SourceFactory(name="New Wire", vetted=False))
    report(hours_ago=20, story_of=shown, status="draft", title="Draft: not for readers")
    _story_reader(shown)
    coast = factories.SourceFactory(name="Coast Post", vetted=False)
    report(hours_ago=1, story_of=shown, source=coast)
    assert story_of(shown).lead.status == "draft"
    call_command("send_briefings", "--now", stdout=open("/dev/null", "w"))
    (message,) = mail.outbox
    assert "New report from Coast Post" in message.body
    for part in (message.body, message.alternatives[0][0]):
        assert "not for readers" not in part and shown.title in part


def test_the_scheduler_starts_no_task_for_a_reader_no_task_would_mail(topic, settings):
    # A deactivated reader (or one without an address) keeps a due time no run moves on:
    # counted as due, they started BRIEFING_TASKS idle tasks every minute, forever.
    _queued(settings)
    started = DBTaskResult.objects.filter(task_path="following.briefings.send_due_briefings")
    reader = _reader(topic)
    factories.User.objects.filter(pk=reader.pk).update(is_active=False)
    later = timezone.now() + timedelta(days=1, minutes=1)
    briefings.enqueue_due(since=None, now=later)
    assert briefings.send_due(now=later) == (0, 0) and started.count() == 0
    factories.User.objects.filter(pk=reader.pk).update(is_active=True)
    briefings.enqueue_due(since=None, now=later)
    assert started.count() == settings.BRIEFING_TASKS
