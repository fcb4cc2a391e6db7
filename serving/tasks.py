"""Serving's work for the task worker: purging HTTP caches by tag (serving/purge.py sends
the requests; this module owns the task and when it is enqueued)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .purge import purge_tags, purge_urls

logger = logging.getLogger(__name__)


@task()
def purge(tags: list[str]) -> None:
    """PURGE `tags` from every cache in PURGE_URLS; raises (and is retried) on a failure."""
    purge_tags(tags)


def schedule_purge(tags: Iterable[str]) -> None:
    """Enqueue a purge of `tags` (after the write committed: see serving.cache)."""
    tags = sorted(set(tags))
    if not tags or not purge_urls():
        return
    enqueue = purge
    delay = settings.PAGE_CACHE_LOCAL_SECONDS
    if delay and enqueue.get_backend().supports_defer:
        enqueue = enqueue.using(run_after=timezone.now() + timedelta(seconds=delay + 0.1))
    try:
        enqueue.enqueue(tags)
    except Exception:  # the write has committed: never fail it, say what stays stale
        logger.exception("Could not enqueue the purge of: %s", " ".join(tags))
