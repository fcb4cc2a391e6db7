"""A mail the worker could not deliver is visible to staff in the admin, with its error
and recipient, never its body (a confirmation or reset link is a credential)."""

from __future__ import annotations

import base64

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.jobs.worker import run_worker
from tests.serving.test_gunicorn import _closed_port

CHANGELIST = "admin:django_tasks_database_dbtaskresult_changelist"
SECRET_LINK = "https://news.example.org/accounts/confirm-email/MzQ:1tSecretKey/"


@pytest.fixture
def failed_mail(settings, queued):
    settings.EMAIL_BACKEND = "jobs.mail.QueuedEmailBackend"
    settings.TASKS_MAX_ATTEMPTS = 2  # the worker's setting too (below): for the admin's count
    mail.send_mail("Confirm your address", f"Open {SECRET_LINK}", None, ["wren@example.org"])
    mail.send_mail("Delivered fine", "Nothing to see.", None, ["ok@example.org"])
    DBTaskResult.objects.filter(args_kwargs__kwargs__recipients=["ok@example.org"]).update(
        status=TaskResultStatus.SUCCESSFUL
    )
    run_worker(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(_closed_port()),  # nothing listens: the connection is refused
        TASKS_MAX_ATTEMPTS="2",
    )
    task = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert len(task.worker_ids) == 2  # retried, then given up
    return task


def test_staff_see_failed_mail_with_error_and_recipient_not_body(admin_client, failed_mail):
    page = admin_client.get(reverse(CHANGELIST), {"mail": "failed"}).content.decode()
    assert "wren@example.org" in page
    assert "ConnectionRefusedError" in page
    assert "2 of 2" in page  # attempts
    assert "ok@example.org" not in page  # delivered mail is not in this list
    assert SECRET_LINK not in page

    detail = admin_client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[failed_mail.pk])
    ).content.decode()
    assert "wren@example.org" in detail
    assert "Confirm your address" in detail  # the subject, to know which mail it was
    assert "ConnectionRefusedError" in detail  # the traceback
    mime = failed_mail.args_kwargs["kwargs"]["mime"]
    assert SECRET_LINK not in detail and mime[:40] not in detail
    assert SECRET_LINK in base64.b64decode(mime).decode()  # the control: it was in there


def test_other_tasks_keep_their_arguments(admin_client, queued):
    from serving.tasks import purge

    purge.enqueue(["article:12"])
    task = DBTaskResult.objects.get()
    detail = admin_client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[task.pk])
    ).content.decode()
    assert "article:12" in detail
