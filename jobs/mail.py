"""Mail leaves through the task queue: no request waits for an SMTP server.

`EMAIL_BACKEND = "jobs.mail.QueuedEmailBackend"` turns every message Django, allauth or
our own code sends into a `deliver_email` task carrying the finished MIME message and its
envelope. The worker hands it to `EMAIL_DELIVERY_BACKEND` (SMTP in production, the
console in development); a failure is retried with backoff (jobs/retry.py).
"""

from __future__ import annotations

import base64
import re
import secrets
from email.header import Header
from email.utils import formatdate, make_msgid
from functools import lru_cache

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    EmailMessage,
    EmailMultiAlternatives,
    forbid_multi_line_headers,
)
from django.core.mail.utils import DNS_NAME
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


class FinishedMIME:
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
        return FinishedMIME(self._raw)

    def recipients(self) -> list[str]:
        return self._recipients


@task()
def deliver_email(*, from_email: str, recipients: list[str], mime: str) -> int:
    """Send one queued message through the real backend; an error means a retry."""
    message = stored_message(from_email=from_email, recipients=recipients, mime=mime)
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    return connection.send_messages([message])


class WrittenAlternatives(EmailMultiAlternatives):
    """A plain-text mail with one HTML alternative, its MIME written directly rather than
    by the `email` package, whose objects, header folding and generator took a third of a
    briefing's CPU (bench/briefing_profile.py). The same MIME as Django's (the parts, their
    headers and encodings); anything that needs the package's care (an address that is not
    plain ASCII, a line longer than SMTP allows, copies, attachments) gets Django's."""

    def message(self):
        raw = _written(self)
        return super().message() if raw is None else FinishedMIME(raw)


# Headers `_written` writes itself: an extra header of these names needs Django's path.
_OWN = {"from", "to", "cc", "reply-to", "date", "message-id", "mime-version", "content-type"}
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


def _written(message: EmailMultiAlternatives) -> bytes | None:
    if (
        message.cc or message.reply_to or message.attachments or len(message.alternatives) != 1
        or message.alternatives[0][1] != "text/html" or len(message.to) != 1
        or not _PLAIN_ADDRESS.fullmatch(message.to[0])
        or (message.encoding or settings.DEFAULT_CHARSET).lower() != "utf-8"
        or any(name.lower() in _OWN for name in message.extra_headers)
    ):  # fmt: skip
        return None
    text, html = _part("plain", message.body), _part("html", message.alternatives[0][0])
    headers = [_header("Subject", message.subject)]
    headers += [_header(n, v) for n, v in message.extra_headers.items()]
    if text is None or html is None or None in headers:
        return None
    boundary = "=" * 15 + secrets.token_hex(10) + "=="
    head = [
        f'Content-Type: multipart/alternative;\n boundary="{boundary}"',
        "MIME-Version: 1.0",
        headers[0],
        f"From: {_from_header(message.from_email)}",
        f"To: {message.to[0]}",
        f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}",
        f"Message-ID: {make_msgid(domain=DNS_NAME)}",
        *headers[1:],
    ]
    mime = "\n".join(head) + f"\n\n--{boundary}\n{text}\n--{boundary}\n{html}\n--{boundary}--\n"
    return mime.encode()


def _header(name: str, value: str) -> str | None:
    value = str(value)
    if "\n" in value or "\r" in value:
        return None  # Django's path refuses it (BadHeaderError)
    if value.isascii() and len(name) + 2 + len(value) <= 78:
        return f"{name}: {value}"
    charset = None if value.isascii() else "utf-8"
    folded = Header(value, charset, header_name=name).encode(splitchars=";, \t", maxlinelen=78)
    return f"{name}: {folded}"


@lru_cache(maxsize=16)
def _from_header(from_email: str) -> str:
    return forbid_multi_line_headers("From", from_email, "utf-8")[1]


def _part(subtype: str, body: str) -> str | None:
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if any(len(line.encode()) > RFC5322_EMAIL_LINE_LENGTH_LIMIT for line in body.split("\n")):
        return None  # Django's path writes it quoted-printable
    encoding = "7bit" if body.isascii() else "8bit"
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\nMIME-Version: 1.0\n'
        f"Content-Transfer-Encoding: {encoding}\n\n{body}"
    )
