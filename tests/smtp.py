"""A real SMTP server on 127.0.0.1 that keeps what it receives (aiosmtpd, in a thread).

`SmtpSink()` listens on a free port; `messages` holds each delivery as
(envelope sender, envelope recipients, the parsed message); `wait_for(predicate)` waits
for a matching one. `accept` makes it answer "451" to the DATA of every message after
that many, `refuse` maps a recipient to the reply that refuses it at RCPT. Used by the
mail tests (tests/jobs/test_mail.py, tests/following/) and the end-to-end stack
(tests/e2e/)."""

from __future__ import annotations

import email
import email.policy
import logging
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.processes import free_port

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes
    message: EmailMessage

    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self.sink.lock:
            refusal = self.sink.refuse.get(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.sink.lock:
            if self.sink.accept is not None and len(self.sink.messages) >= self.sink.accept:
                return "451 Try again later"
            self.sink.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), raw, message)
            )
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.accept: int | None = None  # how many messages in all before "451" (None: all)
        # Recipients the server refuses, with its reply ("550 5.1.1 No such user").
        self.refuse: dict[str, str] = {}
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def env(self) -> dict[str, str]:
        """What a worker needs to deliver here through Django's SMTP backend."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_TIMEOUT": "5",
        }

    def wait_for(self, predicate, timeout: float = 10) -> Received:
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                found = [m for m in self.messages if predicate(m)]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no such mail after {timeout} s; got {self.messages!r}")
            time.sleep(0.05)

    def stop(self) -> None:
        self.controller.stop()
