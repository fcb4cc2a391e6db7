"""Admin for background work: the task queue with attempts and last errors, and the
scheduler's jobs."""

from __future__ import annotations

from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .models import ScheduledJob
from .retry import max_attempts

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """The backport's read-only task list, plus attempts and the last error (kept while a
    failed task waits for its retry)."""

    list_display = (
        "task_name",
        "status",
        "attempts",
        "last_error",
        "enqueued_at",
        "display_run_after",
        "finished_at",
    )
    list_filter = ("status", "queue_name")
    search_fields = ("task_path", "exception_class_path")

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
