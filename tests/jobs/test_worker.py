"""The real `db_worker` runs what the site enqueues: results, retries, no double runs."""

from __future__ import annotations

from collections import Counter

from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.jobs import tasks
from tests.jobs.worker import manage, run_worker, subprocess_env, worker_args


def test_worker_runs_a_task_and_stores_its_result(queued):
    result = tasks.add.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY
    run_worker()
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5 and result.attempts == 1


def test_a_task_that_fails_is_retried_and_then_succeeds(queued):
    result = tasks.flaky.enqueue(fail_times=1)
    run_worker()  # TASKS_RETRY_DELAY=0: the retry is due at once, the same run takes it
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 2 and result.attempts == 2


def test_a_failed_task_waits_with_its_last_error_then_gives_up(queued, admin_client):
    result = tasks.flaky.enqueue(fail_times=99)
    run_worker(TASKS_RETRY_DELAY="600")
    row = DBTaskResult.objects.get(pk=result.id)
    # Back in the queue for later, the error kept for the admin.
    assert row.status == TaskResultStatus.READY
    assert row.run_after > timezone.now() + timezone.timedelta(seconds=500)
    assert "attempt 1 failed on purpose" in row.traceback
    page = admin_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    assert "attempt 1 failed on purpose" in page.content.decode()
    assert "1 of 5" in page.content.decode()
    # After the last allowed attempt it stays failed.
    run_worker(TASKS_MAX_ATTEMPTS="2")  # not due yet: nothing runs
    DBTaskResult.objects.filter(pk=result.id).update(run_after=timezone.now())
    run_worker(TASKS_MAX_ATTEMPTS="2")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and len(row.worker_ids) == 2
    assert "attempt 2 failed on purpose" in row.traceback


def test_two_workers_never_run_the_same_task_twice(queued, tmp_path):
    log = tmp_path / "runs.log"
    for n in range(120):
        tasks.record.enqueue(n, str(log))
    env = subprocess_env()
    workers = [manage(*worker_args(f"w{i}"), env=env) for i in (1, 2)]
    for proc in workers:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out
    runs = Counter(int(line.split()[0]) for line in log.read_text().splitlines())
    assert sorted(runs) == list(range(120)) and set(runs.values()) == {1}
    rows = DBTaskResult.objects.all()
    assert all(r.status == TaskResultStatus.SUCCESSFUL for r in rows)
    assert all(len(r.worker_ids) == 1 for r in rows)


def test_enqueue_many_writes_rows_the_worker_runs(queued):
    from jobs.bulk import enqueue_many

    assert enqueue_many(tasks.add, [(1, 2), (3, 4)]) == 2
    run_worker()
    rows = DBTaskResult.objects.filter(task_path="tests.jobs.tasks.add")
    assert sorted(r.return_value for r in rows) == [3, 7]
    assert all(r.status == TaskResultStatus.SUCCESSFUL for r in rows)
