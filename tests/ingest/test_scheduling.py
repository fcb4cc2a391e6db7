"""Feeds poll themselves: adaptive intervals, server hints, backoff, the tick and the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from ingest.importer import IngestReport
from ingest.models import FeedState
from ingest.scheduling import enqueue_due_polls, next_interval, publishing_interval
from ingest.tasks import poll_feed
from jobs.scheduler import tick
from tests.factories import ArticleFactory, SourceFactory
from tests.jobs.worker import run_worker

MIN, MAX = 300, 86400


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.FEED_MIN_INTERVAL, settings.FEED_MAX_INTERVAL = MIN, MAX


def ok(**kwargs) -> IngestReport:
    return IngestReport(source="s", **kwargs)


def failed(**kwargs) -> IngestReport:
    return IngestReport(source="s", failed=True, **kwargs)


def test_interval_follows_how_often_the_feed_publishes():
    assert publishing_interval(0) == MAX  # silent for a week: once a day
    assert publishing_interval(7) == MAX  # one a day
    assert publishing_interval(168) == 3600  # one an hour
    assert publishing_interval(100_000) == MIN  # a busy wire: never below the minimum


def test_server_hints_are_honoured_up_to_the_maximum():
    assert next_interval(report=ok(max_age=7200), failures=0, entries_last_week=2016) == 7200
    assert next_interval(report=ok(max_age=60), failures=0, entries_last_week=2016) == MIN
    assert next_interval(report=failed(retry_after=5000), failures=1, entries_last_week=0) == 5000
    assert next_interval(report=failed(retry_after=10**9), failures=1, entries_last_week=0) == MAX


def test_failures_back_off_doubling_from_the_minimum():
    waits = [next_interval(report=failed(), failures=n, entries_last_week=0) for n in (1, 2, 3)]
    assert waits == [MIN, 2 * MIN, 4 * MIN]
    assert next_interval(report=failed(), failures=40, entries_last_week=0) == MAX


@pytest.mark.django_db
def test_a_poll_schedules_the_next_one_from_the_feed(feed_server):
    source = SourceFactory(feed_url=feed_server.add_feed("/rss", "rss2.xml"))
    ArticleFactory.create_batch(20, source=source)  # published this week
    feed_server.routes["/rss"].headers["Cache-Control"] = "public, max-age=600"
    poll_feed.call(source.pk)
    state = FeedState.objects.get(pk=source.pk)
    published = Article.objects.filter(
        source=source, published_at__gt=timezone.now() - timedelta(weeks=1)
    )
    assert state.poll_interval == max(600, 7 * 86400 // published.count())
    assert state.next_poll_at > timezone.now() + timedelta(seconds=state.poll_interval - 60)
    assert state.last_result.startswith("3 new")


@pytest.mark.django_db
def test_a_server_asking_to_wait_is_left_alone(feed_server):
    source = SourceFactory(
        feed_url=feed_server.add("/busy", "Busy", status=503, headers={"Retry-After": "7200"})
    )
    poll_feed.call(source.pk)
    state = FeedState.objects.get(pk=source.pk)
    assert state.poll_interval == 7200 and state.last_result == "Failed"
    assert "HTTP 503" in state.last_error and state.consecutive_failures == 1


def test_the_tick_enqueues_each_due_feed_once(queued, settings):
    settings.SCHEDULER_JOBS = {"ingest.scheduling.enqueue_due_polls": 0}
    due = SourceFactory(feed_url="https://a.example.org/rss")
    FeedState.objects.create(source=due, next_poll_at=timezone.now() - timedelta(minutes=1))
    never_polled = SourceFactory(feed_url="https://b.example.org/rss")  # no state yet
    later = SourceFactory(feed_url="https://c.example.org/rss")
    FeedState.objects.create(source=later, next_poll_at=timezone.now() + timedelta(hours=1))
    SourceFactory(feed_url="https://d.example.org/rss", is_active=False)
    SourceFactory(feed_url="")
    tick()
    tick()  # the claimed feeds are no longer due
    polls = DBTaskResult.objects.filter(task_path="ingest.scheduling.poll_feed")
    assert sorted(p.args_kwargs["args"][0] for p in polls) == sorted([due.pk, never_polled.pk])


def test_a_tick_enqueues_at_most_a_batch_and_the_next_tick_takes_the_rest(queued, settings):
    settings.SCHEDULER_JOBS = {"ingest.scheduling.enqueue_due_polls": 0}
    settings.FEED_POLLS_PER_TICK = 3
    sources = [SourceFactory(feed_url=f"https://{n}.example.org/rss") for n in range(5)]
    polls = DBTaskResult.objects.filter(task_path="ingest.scheduling.poll_feed")
    tick()
    assert polls.count() == 3
    tick()
    assert sorted(p.args_kwargs["args"][0] for p in polls) == sorted(s.pk for s in sources)
    tick()  # nothing left: no feed twice
    assert polls.count() == 5


def test_the_worker_polls_what_the_tick_enqueued(queued, feed_server):
    source = SourceFactory(feed_url=feed_server.add_feed("/rss", "rss2.xml"), auto_publish=True)
    assert enqueue_due_polls(since=None, now=timezone.now()) == 1
    run_worker(FEED_ALLOW_PRIVATE_HOSTS="1")
    assert Article.objects.filter(source=source).count() == 3
    state = FeedState.objects.get(pk=source.pk)
    assert state.next_poll_at > timezone.now() and state.last_result.startswith("3 new")


def test_fetch_now_per_row_enqueues_and_never_fetches_in_the_request(queued, client, editor):
    source = SourceFactory(name="Lantern", feed_url="https://lantern.example.org/rss")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_source_changelist")).content.decode()
    url = reverse("admin:articles_source_fetch", args=[source.pk])
    assert f'formaction="{url}"' in page and "Next poll" in page and "Due now" in page
    response = client.post(url, follow=True)
    assert "Lantern: fetch queued" in response.content.decode()
    poll = DBTaskResult.objects.get(task_path="ingest.scheduling.poll_feed")
    assert poll.args_kwargs["args"] == [source.pk] and poll.priority == 50
    assert not FeedState.objects.filter(pk=source.pk).exists()  # nothing fetched yet
    assert client.get(url).status_code == 405


def test_scheduled_article_going_live_refreshes_pages(db):
    from articles.scheduling import refresh_pages_gone_live
    from serving import tags

    now = timezone.now()
    article = ArticleFactory(published_at=now + timedelta(seconds=30))

    def versions():  # of the article's page and of the lists it goes into
        return tags.versions([f"article:{article.pk}", "list:articles"])

    before = versions()
    assert refresh_pages_gone_live(since=now, now=now + timedelta(seconds=10)) == []
    assert versions() == before
    later = now + timedelta(seconds=40)
    assert refresh_pages_gone_live(since=now + timedelta(seconds=10), now=later) == [article.pk]
    assert versions() != before
