"""Housekeeping of the task queue itself."""

from __future__ import annotations

import io

from django.core.management import call_command
from django_tasks import task


@task()
def prune_task_results() -> str:
    """Delete finished task rows: successes after 14 days, failures after 30 (so their
    errors stay readable in the admin for a while). Enqueued daily by the scheduler."""
    out = io.StringIO()
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=14,
        failed_min_age_days=30,
        stdout=out,
    )
    return out.getvalue().strip()
