from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ServingConfig(AppConfig):
    name = "serving"

    def ready(self) -> None:
        from . import dependencies
        from .sites import sync_site

        dependencies.connect()

        # After django.contrib.sites made its default row (it comes first in INSTALLED_APPS).
        post_migrate.connect(sync_site, sender=self, dispatch_uid="serving-sync-site")
