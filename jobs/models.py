"""The scheduler's own bookkeeping: when each periodic job last ran and runs next."""

from django.db import models


class ScheduledJob(models.Model):
    """One entry of `SCHEDULER_JOBS`, claimed by one scheduler at a time (jobs/scheduler.py)."""

    name = models.CharField(
        max_length=200, unique=True, help_text="Dotted path of the task or function run."
    )
    next_run_at = models.DateTimeField(help_text="When a scheduler tick runs it next.")
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Empty when the last run went well.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
