from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ServingConfig(AppConfig):
    name = "serving"

    def ready(self) -> None:
        from django_tasks.signals import task_finished

        from .metrics import count_task_outcome
        from .sites import sync_site

        # Mail, purges and task failures counted where the task ran (serving/metrics.py).
        task_finished.connect(count_task_outcome, dispatch_uid="serving-metrics")

        # After django.contrib.sites made its default row (it comes first in INSTALLED_APPS).
        post_migrate.connect(sync_site, sender=self, dispatch_uid="serving-sync-site")
