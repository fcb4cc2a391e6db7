"""A worker killed in the middle of a task: its row goes back to the queue, or fails."""

from __future__ import annotations

import time
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jobs.recovery import requeue_lost_tasks
from tests.jobs import tasks
from tests.jobs.worker import manage, run_worker, worker_args


def wait_until(condition, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return value


def test_the_task_of_a_killed_worker_runs_again_exactly_once(
    queued, settings, tmp_path, admin_client
):
    settings.TASKS_RETRY_DELAY = 0
    log = tmp_path / "runs.log"
    result = tasks.slow_first.enqueue(str(log))
    worker = manage(*worker_args("w1"))
    try:
        wait_until(lambda: log.exists() and "start 1" in log.read_text())  # in its sleep
        row = DBTaskResult.objects.get(pk=result.id)
        assert row.status == TaskResultStatus.RUNNING
    finally:
        worker.kill()  # SIGKILL: the worker has no chance to finish the row
        worker.communicate(timeout=30)
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING

    settings.TASKS_RUNNING_TIMEOUT = 3600
    assert requeue_lost_tasks() == 0  # not running for long enough yet
    settings.TASKS_RUNNING_TIMEOUT = 1
    wait_until(lambda: timezone.now() > row.started_at + timedelta(seconds=1.1))
    assert requeue_lost_tasks() == 1
    assert requeue_lost_tasks() == 0  # the same row is never requeued twice

    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY and row.worker_ids == ["w1"]
    page = admin_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    assert "worker w1 was lost" in page.content.decode()

    run_worker(worker_id="w2")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == 2
    assert row.worker_ids == ["w1", "w2"] and row.traceback == ""
    assert log.read_text().splitlines() == ["start 1", "start 2", "done 2"]


def test_a_lost_task_without_attempts_left_fails_with_the_lost_worker_as_its_error(
    queued, settings
):
    settings.TASKS_MAX_ATTEMPTS_BY_TASK = {"tests.jobs.tasks.add": 1}
    settings.TASKS_RUNNING_TIMEOUT_BY_TASK = {"tests.jobs.tasks.add": 60}
    lost = tasks.add.enqueue(1, 2)
    other = tasks.record.enqueue(1, "/dev/null")  # the general 15 minutes: not yet
    started = timezone.now() - timedelta(minutes=2)
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=["gone"]
    )
    assert requeue_lost_tasks() == 1
    row = DBTaskResult.objects.get(pk=lost.id)
    assert row.status == TaskResultStatus.FAILED and row.finished_at is not None
    assert row.exception_class_path == "jobs.recovery.WorkerLost"
    assert "worker gone was lost" in row.traceback
    assert DBTaskResult.objects.get(pk=other.id).status == TaskResultStatus.RUNNING


def test_a_lost_run_is_counted_in_the_metrics_once(queued, settings):
    """A lost worker's task is a failed run for /metrics (newsroom_task_failures_total, and
    mail_failed for a mail), counted once however often the scheduler looks."""
    from serving.models import MetricCount

    settings.TASKS_RUNNING_TIMEOUT_BY_TASK = {"tests.jobs.tasks.add": 60}
    settings.METRICS_TASK_COUNTERS = {"tests.jobs.tasks.add": "mail"}
    tasks.add.enqueue(1, 2)
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=2),
        worker_ids=["gone"],
    )
    assert requeue_lost_tasks() == 1
    assert requeue_lost_tasks() == 0
    counts = dict(MetricCount.objects.values_list("name", "value"))
    assert counts == {"task_failures": 1, "mail_failed": 1}
    assert MetricCount.objects.get(name="task_failures").label == "tests.jobs.tasks.add"
