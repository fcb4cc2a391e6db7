"""A reader's mail choices: saved from the profile page, one-click unsubscribe by POST
without cookies or CSRF, tokens that stop only what they name, and choices saved while a
batch holds the row."""

from __future__ import annotations

import email
import threading
import time as time_module
import zoneinfo
from datetime import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone

from accounts import mail as account_mail
from accounts import services as account_services
from following import services, tokens
from following.models import ReaderSettings

from .conftest import (
    briefing_reader,
    report,
)

pytestmark = pytest.mark.django_db

SEOUL = "Asia/Seoul"


def test_one_click_unsubscribe_by_post_without_cookies_or_csrf(topic, settings):
    report(hours_ago=1, topics=[topic])
    reader = briefing_reader(topic)
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


def test_a_token_stops_only_what_it_names_for_its_reader_and_outlives_a_password_change(
    topic,
):
    reader, other = briefing_reader(topic, updates=True), briefing_reader(topic, updates=True)
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
    reader = briefing_reader(topic)
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
    reader = briefing_reader(topic)
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
