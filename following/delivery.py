"""Handing a batch's briefings to the mail server: one task and one SMTP connection per
batch, at most once per reader and day.

The composing transaction queues the batch as ONE `deliver_briefings` task (the finished
MIME of each mail and its `Delivery` row's id), so the mails are queued exactly when the
day's rows commit. The task sends them over one connection of EMAIL_DELIVERY_BACKEND,
marking rows `handed_at` a few at a time just BEFORE they go (`HAND_OVER_CHUNK`).

SMTP and the database cannot commit together, so a worker that dies in the middle of a
batch must choose. We choose at most once: the task runs again (jobs/recovery.py,
jobs/retry.py) and skips every row already marked, so no reader gets the day's mail
twice; the mails marked but not yet accepted when the worker died (at most a chunk) are
lost for the day, and show as marked rows that the server never logged. A mail server's
refusal, or a failure before a mail went out, unmarks what was not sent, and the retry
sends it. (At least once would mark after acceptance and resend the unmarked: a killed
worker would then send up to a chunk twice, which the issue rules out.)

Without the queue (EMAIL_QUEUE=0: development and tests) the batch goes out at once over
one connection of EMAIL_BACKEND inside the composing transaction.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django_tasks import task

from jobs import mail as queue

from .models import Delivery

HAND_OVER_CHUNK = 10


def hand_over(mails: list[tuple[int, EmailMessage]]) -> None:
    """In the batch's transaction: (Delivery id, message) pairs to the mail server."""
    if not mails:
        return
    if queue.queued():
        deliver_briefings.enqueue(mails=[[pk, queue.stored_form(m)] for pk, m in mails])
    else:
        send_over_one_connection(get_connection(fail_silently=False), mails)


@task()
def deliver_briefings(*, mails: list) -> int:
    """The worker's part: send a batch not sent yet (a rerun skips what was handed over,
    and a mail whose row is gone: its reader deleted their account since, which erased it)."""
    waiting = set(
        Delivery.objects.filter(pk__in=[pk for pk, _ in mails], handed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    todo = [(pk, queue.stored_message(**form)) for pk, form in mails if pk in waiting]
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    return send_over_one_connection(connection, todo)


def send_over_one_connection(connection, mails: list[tuple[int, EmailMessage]]) -> int:
    sent = 0
    with connection:
        for start in range(0, len(mails), HAND_OVER_CHUNK):
            chunk = mails[start : start + HAND_OVER_CHUNK]
            Delivery.objects.filter(pk__in=[pk for pk, _ in chunk]).update(handed_at=timezone.now())
            for at, (_, message) in enumerate(chunk):
                try:
                    connection.send_messages([message])
                except Exception as error:
                    # Refused: not sent, nor what follows. Cut off mid-mail: it may
                    # have arrived, so it stays marked (at most once).
                    unsent = chunk[at if _refused(error) else at + 1 :]
                    Delivery.objects.filter(pk__in=[pk for pk, _ in unsent]).update(handed_at=None)
                    raise
                sent += 1
    return sent


def _refused(error: Exception) -> bool:
    """The server answered no: the mail was certainly not accepted."""
    return isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)
