"""Admin for background work: the task queue with attempts and last errors, and the
scheduler's jobs. Mail in the queue shows who it is for and its subject, never its
body (a confirmation or reset link is a credential): the "Mail that failed" filter is
where staff see deliveries that could not be made, with the error."""

from __future__ import annotations

import base64
import binascii
import email
from email.header import decode_header, make_header

from django.contrib import admin
from django.db.models import Q, QuerySet
from django_tasks import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .mail import deliver_email
from .models import ScheduledJob
from .retry import max_attempts

MAIL_TASK = deliver_email.module_path


def _mail_kwargs(obj: DBTaskResult) -> dict | None:
    if obj.task_path != MAIL_TASK:
        return None
    kwargs = (obj.args_kwargs or {}).get("kwargs")
    return kwargs if isinstance(kwargs, dict) else None


def mail_subject(obj: DBTaskResult) -> str:
    """The queued message's subject, read from its headers only."""
    kwargs = _mail_kwargs(obj) or {}
    try:
        raw = base64.b64decode(kwargs.get("mime", ""), validate=True)
    except (binascii.Error, ValueError):
        return ""
    subject = email.message_from_bytes(raw, _class=email.message.Message).get("Subject", "")
    return str(make_header(decode_header(subject))) if subject else ""


class MailFilter(admin.SimpleListFilter):
    title = "mail"
    parameter_name = "mail"

    def lookups(self, request, model_admin):
        return [("failed", "Mail that failed"), ("all", "All mail")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "all":
            return queryset.filter(task_path=MAIL_TASK)
        if self.value() == "failed":
            # Given up, or waiting for its next attempt with the last error kept.
            return queryset.filter(task_path=MAIL_TASK).exclude(
                Q(exception_class_path="") | Q(status=TaskResultStatus.SUCCESSFUL)
            )
        return queryset


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """The backport's read-only task list, plus attempts and the last error (kept while a
    failed task waits for its retry)."""

    list_display = (
        "task_name",
        "status",
        "attempts",
        "recipients",
        "last_error",
        "enqueued_at",
        "display_run_after",
        "finished_at",
    )
    list_filter = (MailFilter, "status", "queue_name")
    search_fields = ("task_path", "exception_class_path")

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and _mail_kwargs(obj) is not None:
            # A mail's arguments hold the whole message: show who and what, not the body.
            at = fields.index("args_kwargs")
            fields[at : at + 1] = ["recipients", "subject"]
        return fields

    @admin.display(description="recipients")
    def recipients(self, obj: DBTaskResult) -> str:
        kwargs = _mail_kwargs(obj)
        if kwargs is None:
            return "-"
        return ", ".join(str(r) for r in kwargs.get("recipients") or ()) or "-"

    @admin.display(description="subject")
    def subject(self, obj: DBTaskResult) -> str:
        return mail_subject(obj) or "-"

    @admin.display(description="attempts")
    def attempts(self, obj: DBTaskResult) -> str:
        return f"{len(obj.worker_ids)} of {max_attempts(obj.task_path)}"

    @admin.display(description="last error")
    def last_error(self, obj: DBTaskResult) -> str:
        if not obj.traceback:
            return "-"
        lines = [line for line in obj.traceback.strip().splitlines() if line.strip()]
        return lines[-1][:200] if lines else obj.exception_class_path


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    list_display = ("name", "next_run_at", "last_run_at", "last_error")
    readonly_fields = ("name", "last_run_at", "last_error")
    fields = ("name", "next_run_at", "last_run_at", "last_error")

    def has_add_permission(self, request) -> bool:
        return False  # rows come from settings.SCHEDULER_JOBS
