from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Work done off the request path: retries, queued mail and the scheduler tick."""

    name = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from django_tasks.signals import task_finished

        from . import retry

        task_finished.connect(retry.retry_failed_task, dispatch_uid="jobs-retry")
