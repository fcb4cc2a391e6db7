"""Deleted stays deleted: an imported article an editor deletes leaves a tombstone (its
source and GUID), so the next poll does not import the entry again (ingest/importer.py)."""

from __future__ import annotations

from articles.models import Article

from .models import DeletedEntry


def remember_deleted_entry(sender, instance: Article, **kwargs) -> None:
    """post_delete receiver: keep the GUID of an article that came from a feed."""
    if instance.guid:
        DeletedEntry.objects.get_or_create(source_id=instance.source_id, guid=instance.guid)
