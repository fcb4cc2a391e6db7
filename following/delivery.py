"""Handing a batch's briefings to the mail server: one task and one SMTP connection per
batch, at most once per reader and day, one reader's failure never the batch's.

The composing transaction queues the batch as ONE `deliver_briefings` task (the finished
MIME of each mail and its `Delivery` row's id), so the mails are queued exactly when the
day's rows commit. The task sends them over one connection of EMAIL_DELIVERY_BACKEND,
marking rows `handed_at` a few at a time just BEFORE they go (`HAND_OVER_CHUNK`).

SMTP and the database cannot commit together, so a worker that dies in the middle of a
batch must choose. We choose at most once: the task runs again (jobs/recovery.py,
jobs/retry.py) and skips every row already marked, so no reader gets the day's mail
twice; the mails marked but not yet accepted when the worker died (at most a chunk) are
lost for the day, and show as marked rows that the server never logged. (At least once
would mark after acceptance and resend the unmarked: a killed worker would then send up
to a chunk twice, which the issue rules out.)

What the server says decides the rest, mail by mail (`_verdict`):
- This mail, for good (a 5xx for its recipient or its content, an address or header that
  cannot be written): its row keeps its mark and gets the reason (`Delivery.failure`),
  the failure is logged and counted (`briefings_failed`), and the batch goes on. Never
  retried: the same mail would be refused again.
- This recipient, for now (a 4xx for the recipient: a full mailbox, greylisting): the row
  is unmarked with the reason and the batch goes on; the task then fails, so its retry
  (jobs/retry.py, at most TASKS_MAX_ATTEMPTS runs) sends those rows alone.
- The server or the connection (refused sender, a 4xx for the data, a dropped
  connection): the batch stops and what was not sent is unmarked for the retry; a mail
  cut off mid-way may have arrived, so it stays marked.

Without the queue (EMAIL_QUEUE=0: development and tests) the batch goes out at once over
one connection of EMAIL_BACKEND inside the composing transaction (a mail refused for now
is then not retried: the transaction commits what was sent).
"""

from __future__ import annotations

import logging
import smtplib
from enum import Enum

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django_tasks import task

from jobs import mail as queue
from serving import metrics

from .models import Delivery

log = logging.getLogger(__name__)

HAND_OVER_CHUNK = 10
FAILED = "briefings_failed"


class Deferred(Exception):
    """Some of the batch's recipients were refused for now: the task's retry sends them."""


def prepare(message: EmailMessage):
    """A reader's finished mail as `hand_over` takes it, written out now (the queue's
    stored form, or the message once its MIME is known to write): a mail that cannot be
    written (an address with a line break) fails here, for this reader alone
    (following/briefings.py), not the batch's transaction."""
    if queue.queued():
        return queue.stored_form(message)
    message.message()
    return message


def hand_over(mails: list[tuple[int, object]]) -> None:
    """In the batch's transaction: (Delivery id, `prepare`d mail) pairs to the server."""
    if not mails:
        return
    if queue.queued():
        deliver_briefings.enqueue(mails=[[pk, form] for pk, form in mails])
    else:
        send_over_one_connection(get_connection(fail_silently=False), mails)


@task()
def deliver_briefings(*, mails: list) -> int:
    """The worker's part: send a batch not sent yet (a rerun skips what was handed over,
    and a mail whose row is gone: its reader deleted their account since, which erased it).
    Fails (`Deferred`) when a recipient was refused for now, so a retry sends those."""
    waiting = set(
        Delivery.objects.filter(pk__in=[pk for pk, _ in mails], handed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    todo = [(pk, queue.stored_message(**form)) for pk, form in mails if pk in waiting]
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    sent, deferred = send_over_one_connection(connection, todo)
    if deferred:
        raise Deferred(f"{deferred} of {len(todo)} recipients refused for now; sent {sent}.")
    return sent


class Verdict(Enum):
    FAILED = "this mail, for good"
    DEFERRED = "this recipient, for now"
    STOP = "the server or the connection"


def _verdict(error: Exception) -> Verdict:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return Verdict.FAILED if codes and min(codes) >= 500 else Verdict.DEFERRED
    if isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
        return Verdict.FAILED  # this message's content (too large, rejected as spam)
    if isinstance(error, ValueError):  # UnicodeError too: an address Django cannot write
        return Verdict.FAILED
    return Verdict.STOP


def _reason(error: Exception) -> tuple[str, str]:
    """(the server's code or the error's class, the whole reason for the row)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
    elif isinstance(error, smtplib.SMTPResponseException):
        code, text = error.smtp_code, error.smtp_error
    else:
        return type(error).__name__, f"{type(error).__name__}: {error}"[:300]
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(code), f"{code} {text}"[:300]


def send_over_one_connection(connection, mails: list[tuple[int, EmailMessage]]) -> tuple[int, int]:
    """Send, marking before each chunk goes: (mails sent, recipients refused for now)."""
    sent, set_aside = 0, {Verdict.FAILED: 0, Verdict.DEFERRED: 0}
    with connection:
        for start in range(0, len(mails), HAND_OVER_CHUNK):
            chunk = mails[start : start + HAND_OVER_CHUNK]
            Delivery.objects.filter(pk__in=[pk for pk, _ in chunk]).update(
                handed_at=timezone.now(), failure=""  # a retry's were deferred before
            )  # fmt: skip
            for at, (pk, message) in enumerate(chunk):
                try:
                    connection.send_messages([message])
                except Exception as error:
                    verdict = _verdict(error)
                    if verdict is Verdict.STOP:
                        # Refused: not sent, nor what follows. Cut off mid-mail: it may
                        # have arrived, so it stays marked (at most once).
                        unsent = chunk[at if _refused(error) else at + 1 :]
                        Delivery.objects.filter(pk__in=[p for p, _ in unsent]).update(
                            handed_at=None
                        )
                        _count(set_aside[Verdict.FAILED])
                        raise
                    _set_aside(pk, error, verdict)
                    set_aside[verdict] += 1
                else:
                    sent += 1
    _count(set_aside[Verdict.FAILED])
    return sent, set_aside[Verdict.DEFERRED]


def _set_aside(pk: int, error: Exception, verdict: Verdict) -> None:
    """One mail refused, the batch going on: the reason on its row (unmarked for the
    retry when refused for now), and a log line with the row's id and the server's code,
    not its reply, which often names the address (a log is read by more people)."""
    code, reason = _reason(error)
    log.warning(
        "Briefing of Delivery %s %s: %s (%s)",
        pk,
        "given up" if verdict is Verdict.FAILED else "deferred",
        code,
        verdict.value,
    )
    fields = {"failure": reason}
    if verdict is Verdict.DEFERRED:
        fields["handed_at"] = None
    Delivery.objects.filter(pk=pk).update(**fields)


def _count(failed: int) -> None:
    if failed:
        metrics.count(FAILED, amount=failed)


def _refused(error: Exception) -> bool:
    """The server answered no: the mail was certainly not accepted."""
    return isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)
