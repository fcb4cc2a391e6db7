"""Background tasks (django-tasks on the database) and the scheduler's jobs."""

from .env import env_float, env_int

# Background tasks (docs/tasks.md): Django's task API (the django-tasks backport) on the
# database backend; `manage.py db_worker` runs them, `manage.py run_scheduler` enqueues
# periodic and due work. Failed tasks are retried with a doubling delay (jobs/retry.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 5)
TASKS_MAX_ATTEMPTS_BY_TASK: dict[str, int] = {}
TASKS_RETRY_DELAY = env_float("TASKS_RETRY_DELAY", 30.0)
TASKS_RETRY_MAX_DELAY = env_float("TASKS_RETRY_MAX_DELAY", 3600.0)
# A task RUNNING this long (seconds) lost its worker: jobs/recovery.py requeues or fails it.
# Well above the longest task's own deadline (a feed poll: FEED_SOURCE_BUDGET, 60 s).
TASKS_RUNNING_TIMEOUT = env_float("TASKS_RUNNING_TIMEOUT", 15 * 60.0)
TASKS_RUNNING_TIMEOUT_BY_TASK: dict[str, float] = {}
# Dotted path of a task (enqueued when due) or of a function `fn(since=, now=)` that
# enqueues due work, and its interval in seconds (0: every tick).
SCHEDULER_JOBS: dict[str, float] = {
    "ingest.scheduling.enqueue_due_polls": 0,
    "articles.scheduling.refresh_pages_gone_live": 0,
    "comments.tasks.scrub_comment_ips": 24 * 3600,
    "jobs.tasks.prune_task_results": 24 * 3600,
    "jobs.recovery.requeue_lost_tasks": 60,
    "following.briefings.enqueue_due": 60,
}
# Feed polls record their own failures and back off (ingest/scheduling.py): no retries.
TASKS_MAX_ATTEMPTS_BY_TASK["ingest.scheduling.poll_feed"] = 1
# A cache that is down for a restart gets its purges once back: about 2 h of retries.
TASKS_MAX_ATTEMPTS_BY_TASK["serving.tasks.purge"] = 8
SCHEDULER_TICK_SECONDS = env_float("SCHEDULER_TICK_SECONDS", 5.0)
