from django.apps import AppConfig
from django.db.models.signals import post_delete


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Feed ingestion"

    def ready(self) -> None:
        from articles.models import Article

        from .signals import remember_deleted_entry

        post_delete.connect(
            remember_deleted_entry, sender=Article, dispatch_uid="ingest_deleted_entry"
        )
