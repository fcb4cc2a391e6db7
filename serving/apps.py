from pathlib import Path

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def make_local_folders() -> None:
    """var/ (the SQLite database, mail files) and the static folder WhiteNoise reads (it
    warns when the folder is missing): made when the site starts, not when the settings
    are imported."""
    from django.conf import settings

    for folder in (settings.VAR_DIR, settings.STATIC_ROOT):
        Path(folder).mkdir(parents=True, exist_ok=True)


class ServingConfig(AppConfig):
    name = "serving"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the deploy checks)
            dependencies,
        )
        from .sites import sync_site

        dependencies.connect()
        make_local_folders()

        # After django.contrib.sites made its default row (it comes first in INSTALLED_APPS).
        post_migrate.connect(sync_site, sender=self, dispatch_uid="serving-sync-site")
