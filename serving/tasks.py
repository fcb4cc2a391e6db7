"""Serving's work for the task worker: purging HTTP caches by tag (serving/purge.py)."""

from __future__ import annotations

from django_tasks import task

from .purge import purge_tags


@task()
def purge(tags: list[str]) -> None:
    """PURGE `tags` from every cache in PURGE_URLS; raises (and is retried) on a failure."""
    purge_tags(tags)
