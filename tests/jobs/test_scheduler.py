"""The scheduler tick: periodic tasks once per interval, hooks told what time window is new."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs import scheduler
from jobs.models import ScheduledJob
from jobs.scheduler import tick

CALLS: list[tuple] = []


def record_window(*, since, now) -> None:
    CALLS.append((since, now))


def broken(*, since, now) -> None:
    raise RuntimeError("this job is broken")


def test_a_periodic_task_is_enqueued_once_per_interval(queued, settings):
    settings.SCHEDULER_JOBS = {"comments.tasks.scrub_comment_ips": 3600}
    now = timezone.now()
    assert tick(now) == ["comments.tasks.scrub_comment_ips"]
    assert tick(now + timedelta(minutes=59)) == []
    assert tick(now + timedelta(minutes=61)) == ["comments.tasks.scrub_comment_ips"]
    assert DBTaskResult.objects.filter(task_path="comments.tasks.scrub_comment_ips").count() == 2


def test_a_hook_gets_the_previous_run_and_a_broken_one_does_not_stop_it(queued, settings):
    settings.SCHEDULER_JOBS = {
        "tests.jobs.test_scheduler.broken": 60,
        "tests.jobs.test_scheduler.record_window": 0,
    }
    CALLS.clear()
    scheduler._previous_tick.clear()
    first, second = timezone.now(), timezone.now() + timedelta(seconds=5)
    tick(first)
    tick(second)
    assert CALLS == [(None, first), (first, second)]
    job = ScheduledJob.objects.get(name="tests.jobs.test_scheduler.broken")
    assert job.last_error == "RuntimeError: this job is broken"
    assert not ScheduledJob.objects.filter(name__endswith="record_window").exists()


def test_run_scheduler_once(queued, settings):
    settings.SCHEDULER_JOBS = {"comments.tasks.scrub_comment_ips": 3600}
    call_command("run_scheduler", "--once", verbosity=0)
    assert DBTaskResult.objects.filter(task_path="comments.tasks.scrub_comment_ips").exists()


def test_prune_task_results_keeps_recent_rows(queued):
    from jobs.tasks import prune_task_results

    recent = prune_task_results.enqueue()
    DBTaskResult.objects.filter(pk=recent.id).update(
        status="SUCCESSFUL", finished_at=timezone.now()
    )
    old = prune_task_results.enqueue()
    DBTaskResult.objects.filter(pk=old.id).update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=15)
    )
    prune_task_results.call()
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [recent.db_result.pk]
