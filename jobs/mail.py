"""Mail leaves through the task queue: no request waits for an SMTP server.

`EMAIL_BACKEND = "jobs.mail.QueuedEmailBackend"` turns every message Django, allauth or
our own code sends into a `deliver_email` task carrying the finished MIME message and its
envelope. The worker hands it to `EMAIL_DELIVERY_BACKEND` (SMTP in production, the
console in development); a failure is retried with backoff (jobs/retry.py).
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django_tasks import task


class QueuedEmailBackend(BaseEmailBackend):
    """Enqueue each message instead of sending it."""

    def send_messages(self, email_messages) -> int:
        count = 0
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            deliver_email.enqueue(**stored_form(message))
            count += 1
        return count


def queued() -> bool:
    """Whether mail goes through the queue (else EMAIL_BACKEND sends it at once)."""
    return settings.EMAIL_BACKEND == f"{__name__}.{QueuedEmailBackend.__name__}"


def stored_form(message: EmailMessage) -> dict:
    """A message as a task's JSON arguments carry it: finished MIME and its envelope."""
    return {
        "from_email": message.from_email or settings.DEFAULT_FROM_EMAIL,
        "recipients": message.recipients(),
        "mime": base64.b64encode(message.message().as_bytes()).decode("ascii"),
    }


def stored_message(*, from_email: str, recipients: list[str], mime: str) -> EmailMessage:
    """The message `stored_form` gave, for the delivery backend to send as it is."""
    return _StoredMessage(raw=base64.b64decode(mime), from_email=from_email, recipients=recipients)


class _FinishedMIME:
    """A message's MIME as the queue stored it, written out as it was: the delivery
    backends call `as_bytes(linesep=...)` (SMTP asks for "\r\n") and `get_charset()`
    (the console). Parsing it and writing it again cost a worker 5 ms a mail
    (bench/briefing_profile.py). Django wrote it with "\n" ending every line, body lines
    included, so the SMTP form only changes those; a line starting with "From " stays."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self._raw if linesep == "\n" else self._raw.replace(b"\n", linesep.encode())

    def get_charset(self):
        return None  # the console decodes it as UTF-8, which Django's MIME is


class _StoredMessage(EmailMessage):
    """A message already rendered to MIME: the delivery backend sends it as it is."""

    def __init__(self, *, raw: bytes, from_email: str, recipients: list[str]) -> None:
        super().__init__(from_email=from_email)
        self._raw = raw
        self._recipients = recipients

    def message(self):
        return _FinishedMIME(self._raw)

    def recipients(self) -> list[str]:
        return self._recipients


@task()
def deliver_email(*, from_email: str, recipients: list[str], mime: str) -> int:
    """Send one queued message through the real backend; an error means a retry."""
    message = stored_message(from_email=from_email, recipients=recipients, mime=mime)
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    return connection.send_messages([message])
