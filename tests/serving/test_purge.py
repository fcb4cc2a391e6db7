"""Purging HTTP caches by tag: a real HTTP server on 127.0.0.1 stands in for Varnish, and a
real task worker sends the purges the site enqueues."""

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from serving import purge
from serving.tasks import schedule_purge
from tests.jobs.worker import run_worker


def test_purge_tags_sends_one_request_with_every_tag(cache_server):
    purge.purge_tags(["comments:7", "article:7", "article:7"])
    assert cache_server.seen == ["article:7 comments:7"]


def test_purge_tags_raises_when_a_cache_refuses(cache_server):
    cache_server.statuses = [403]
    with pytest.raises(purge.PurgeFailed):
        purge.purge_tags(["promo"])


def test_a_scheduled_purge_is_a_task_the_worker_sends(cache_server, queued, settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0.5
    before = timezone.now()
    schedule_purge(["article:3", "list:articles"])
    assert cache_server.seen == []  # nothing sent by the writer itself
    row = DBTaskResult.objects.get(task_path="serving.tasks.purge")
    # Not before every app server's in-process copy of the tag versions has expired.
    assert row.run_after >= before + timezone.timedelta(seconds=0.5)
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
    run_worker(PURGE_URLS=settings.PURGE_URLS[0])
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert cache_server.seen == ["article:3 list:articles"]


def test_a_failed_purge_waits_for_its_retry_with_its_error(cache_server, queued, settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0
    cache_server.statuses = [503]
    schedule_purge(["source:2"])
    run_worker(PURGE_URLS=settings.PURGE_URLS[0], TASKS_RETRY_DELAY="600")
    row = DBTaskResult.objects.get(task_path="serving.tasks.purge")
    assert row.status == TaskResultStatus.READY  # back in the queue, not lost
    assert "503" in row.traceback and row.args_kwargs["args"] == [["source:2"]]
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
    run_worker(PURGE_URLS=settings.PURGE_URLS[0])
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert cache_server.seen == ["source:2", "source:2"]


def test_nothing_is_enqueued_without_purge_urls(settings, queued):
    settings.PURGE_URLS = []
    schedule_purge(["article:1"])
    assert not DBTaskResult.objects.exists()
