"""Mail goes through the queue: a stalled SMTP server never holds a reader's request."""

from __future__ import annotations

import smtplib
import socket
import threading
import time

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.factories import CommentFactory
from tests.jobs.worker import run_worker


@pytest.fixture
def stalled_smtp():
    """A real TCP server on 127.0.0.1 that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def queued_mail(settings, queued):
    settings.EMAIL_BACKEND = "jobs.mail.QueuedEmailBackend"


def mail_tasks():
    return DBTaskResult.objects.filter(task_path="jobs.mail.deliver_email")


def test_queued_mail_is_delivered_by_the_worker(queued_mail, tmp_path):
    mail.EmailMessage(
        "Café opening",
        "Body with ünïcode",
        "news@example.org",
        ["a@example.org"],
        bcc=["hidden@example.org"],
    ).send()
    assert mail_tasks().get().status == TaskResultStatus.READY
    run_worker(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path),
    )
    assert mail_tasks().get().status == TaskResultStatus.SUCCESSFUL, mail_tasks().get().traceback
    [written] = list(tmp_path.iterdir())
    text = written.read_text()
    assert "To: a@example.org" in text and "Bcc" not in text
    assert "=?utf-8?q?Caf=C3=A9_opening?=" in text
    assert mail_tasks().get().args_kwargs["kwargs"]["recipients"] == [
        "a@example.org",
        "hidden@example.org",
    ]


def test_the_stalled_server_really_stalls_a_direct_send(settings, stalled_smtp):
    # The control: without the queue, the send waits for the full timeout and fails.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", stalled_smtp, 1
    started = time.monotonic()
    with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
        mail.send_mail("Hello", "Body", None, ["a@example.org"])
    assert time.monotonic() - started >= 1


def test_comment_post_does_not_wait_for_a_stalled_smtp_server(
    queued_mail, settings, stalled_smtp, client
):
    from tests.factories import ArticleFactory, ConfirmedReaderFactory

    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", stalled_smtp, 5
    settings.COMMENTS_PREMODERATE = False
    article = ArticleFactory()
    parent = CommentFactory(article=article, status="approved")
    reader = ConfirmedReaderFactory()
    from django.contrib.auth.models import Group

    reader.groups.add(Group.objects.get_or_create(name="Trusted readers")[0])
    settings.COMMENTS_FLOOD_SECONDS = 0
    client.force_login(reader)
    # A first comment (no notice) warms the process up: templates, URL resolvers.
    client.post(reverse("comments:post", args=[article.slug]), {"body": "A first comment."})
    started = time.monotonic()
    response = client.post(
        reverse("comments:post", args=[article.slug]),
        {"body": "A reply that notifies the parent's author.", "parent": parent.pk},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    # The reply notice is waiting in the queue, not stuck in the request. A direct send
    # would have waited the full 5 s timeout (see the control above); the target
    # is 200 ms, measured here and in docs/tasks.md, asserted with room for a busy machine.
    task = mail_tasks().get()
    assert task.status == TaskResultStatus.READY
    assert task.args_kwargs["kwargs"]["recipients"] == [parent.author.email]
    print(f"comment post with a stalled SMTP server: {elapsed * 1000:.0f} ms")
    assert elapsed < 1
    # The worker meets the stalled server: it gives up at EMAIL_TIMEOUT and the task
    # waits for a retry with the error recorded.
    run_worker(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(stalled_smtp),
        EMAIL_TIMEOUT="1",
        TASKS_RETRY_DELAY="600",
        DEBUG="1",
    )
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY and len(task.worker_ids) == 1
    assert "timed out" in task.traceback


def test_allauth_confirmation_mail_is_queued_and_delivered(queued_mail, client, tmp_path):
    import base64

    from tests.accounts.helpers import signup

    response = signup(client, email="tern@example.org", name="Arctic Tern")
    assert response.status_code == 302
    task = mail_tasks().get()
    assert task.args_kwargs["kwargs"]["recipients"] == ["tern@example.org"]
    mime = base64.b64decode(task.args_kwargs["kwargs"]["mime"]).decode()
    assert "Confirm" in mime or "confirm" in mime
    run_worker(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path),
    )
    [written] = list(tmp_path.iterdir())
    assert "To: tern@example.org" in written.read_text()


@pytest.fixture
def smtp_sink():
    from tests.smtp import SmtpSink

    sink = SmtpSink()
    yield sink
    sink.stop()


def test_queued_mail_leaves_through_the_real_smtp_backend(queued_mail, smtp_sink):
    # The probe: every delivery failed with "Message.as_bytes() got an unexpected keyword
    # argument 'linesep'" and was retried until it gave up; nothing reached the server.
    message = mail.EmailMultiAlternatives(
        "Réponse à votre commentaire",
        "Bonjour Zoë,\nFrom here on, a line starting with From stays as it is.\n— Ñewsroom",
        "Ñewsroom <news@example.org>",
        ["zoë@example.org".replace("ë", "e")],
        bcc=["hidden@example.org"],
        headers={"List-Unsubscribe": "<https://example.org/u/1>"},
    )
    message.attach_alternative("<p>Bonjour <b>Zoë</b> — ✓</p>", "text/html")
    message.send()
    run_worker(**smtp_sink.env())
    task = mail_tasks().get()
    assert task.status == TaskResultStatus.SUCCESSFUL, task.traceback
    [got] = smtp_sink.messages
    assert got.sender == "news@example.org"
    assert sorted(got.recipients) == ["hidden@example.org", "zoe@example.org"]
    assert b"\r\n" in got.raw and b"\n" not in got.raw.replace(b"\r\n", b"")
    headers = got.message
    assert headers["Subject"] == "Réponse à votre commentaire"
    assert headers["From"].addresses[0].display_name == "Ñewsroom"
    assert headers["To"] == "zoe@example.org" and headers["Bcc"] is None
    assert headers["List-Unsubscribe"] == "<https://example.org/u/1>"
    assert headers.get_content_type() == "multipart/alternative"
    assert got.text().replace("\r\n", "\n").rstrip("\n") == message.body
    assert "\nFrom here on" in got.text().replace("\r\n", "\n")  # not ">From"
    assert got.html().strip() == "<p>Bonjour <b>Zoë</b> — ✓</p>"


def test_make_runs_settings_mail_a_link_the_browser_can_open(queued_mail, settings, client):
    # `make run`: DEBUG off, HTTPS off on loopback, SITE_URL the loopback address. The
    # link used to be https://, which nothing there serves.
    import base64
    import email as email_lib
    import email.policy
    import sys

    from tests import forkserver
    from tests.accounts.helpers import signup
    from tests.jobs.worker import ROOT, subprocess_env

    env = subprocess_env(
        DEBUG="0", HTTPS="0", SECRET_KEY="x" * 50, SITE_URL="http://127.0.0.1:8123"
    )
    # The settings module's value: read without loading the apps.
    code = "from django.conf import settings; print(settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL)"
    done = forkserver.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "http"
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
    settings.SITE_URL = "http://127.0.0.1:8123"
    # The request comes with another Host: the link still names the site's own address.
    response = signup(client, email="gull@example.org", name="Herring Gull")
    assert response.status_code == 302
    mime = base64.b64decode(mail_tasks().get().args_kwargs["kwargs"]["mime"])
    text = email_lib.message_from_bytes(mime, policy=email.policy.default)
    body = text.get_body(("plain",)).get_content()
    assert "http://127.0.0.1:8123/accounts/confirm-email/" in body
    assert "https://" not in body and "testserver" not in body
