"""/metrics: who may read it, and that it counts what operators alert on, including what
the task worker (another process) did."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import ArticleFactory, SourceFactory
from tests.jobs.worker import run_worker
from tests.serving.test_gunicorn import Server, _closed_port, _env, _migrate

HEADERS = {"REMOTE_ADDR": "127.0.0.1"}


def scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics: (name, sorted labels) -> value."""
    response = client.get("/metrics", **{**HEADERS, **extra})
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("text/plain")
    return parse(response.content.decode())


def parse(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.django_db
def test_metrics_from_the_allowed_addresses_only(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.1.0.0/16", "::1"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    refused = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 403
    assert b"newsroom_" not in refused.content
    # What a client writes in X-Forwarded-For does not count: only the peer.
    spoofed = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert spoofed.status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


@pytest.mark.django_db
def test_metrics_with_the_token_from_anywhere(client, settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **outside).status_code == 403
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **outside)
    assert wrong.status_code == 403
    right = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", **outside)
    assert right.status_code == 200
    settings.METRICS_TOKEN = ""  # no token set: no bearer is ever accepted
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", **outside).status_code == 403


@pytest.mark.django_db
def test_requests_by_view_and_status_and_page_cache_hits(client):
    article = ArticleFactory(slug="tide-tables")
    before = scrape(client)
    client.get(article.get_absolute_url())  # rendered and stored
    client.get(article.get_absolute_url())  # a hit
    client.get("/no-such-page/")
    after = scrape(client)
    view = "articles:detail"
    total = "newsroom_http_requests_total"
    assert (
        value(after, total, view=view, status="200") - value(before, total, view=view, status="200")
        == 2
    )
    assert (
        value(after, total, view="unresolved", status="404")
        - value(before, total, view="unresolved", status="404")
        == 1
    )
    count = "newsroom_http_request_duration_seconds_count"
    assert value(after, count, view=view) - value(before, count, view=view) == 2
    pages = "newsroom_page_cache_requests_total"
    for result in ("hit", "miss"):
        assert value(after, pages, result=result) - value(before, pages, result=result) == 1


@pytest.mark.django_db
def test_feed_polls_and_failures_are_counted(client, feed_server):
    from ingest.tasks import poll_feed

    good = SourceFactory(feed_url=feed_server.add_feed("/good.xml", "rss2.xml"))
    bad = SourceFactory(feed_url=feed_server.add("/gone.xml", "", status=404))
    poll_feed.enqueue(good.pk)
    poll_feed.enqueue(bad.pk)
    samples = scrape(client)
    assert value(samples, "newsroom_feed_polls_total") == 2
    assert value(samples, "newsroom_feed_poll_failures_total") == 1


@pytest.fixture
def queued_mail(settings, queued):
    settings.EMAIL_BACKEND = "jobs.mail.QueuedEmailBackend"


@pytest.mark.usefixtures("queued_mail")
def test_mail_and_purges_sent_by_the_task_worker_are_counted(
    client, settings, cache_server, tmp_path
):
    from serving.tasks import purge

    mail.send_mail("Welcome", "Confirm your address.", None, ["ada@example.org"])
    purge.enqueue(["article:7"])
    samples = scrape(client)
    assert value(samples, "newsroom_tasks_queued") == 2
    assert value(samples, "newsroom_task_oldest_queued_age_seconds") >= 0
    assert value(samples, "newsroom_mail_sent_total") == 0

    run_worker(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path),
        PURGE_URLS=settings.PURGE_URLS[0],
    )
    assert len(list(tmp_path.iterdir())) == 1  # the mail really left
    assert cache_server.seen == ["article:7"]
    samples = scrape(client)
    assert value(samples, "newsroom_mail_sent_total") == 1
    assert value(samples, "newsroom_mail_failed_total") == 0
    assert value(samples, "newsroom_purges_sent_total") == 1
    assert value(samples, "newsroom_tasks_queued") == 0
    assert value(samples, "newsroom_task_oldest_queued_age_seconds") == 0


@pytest.mark.usefixtures("queued_mail")
def test_failed_mail_and_purges_are_counted_by_task(client, settings, cache_server):
    from serving.tasks import purge

    mail.send_mail("Reset", "Your link.", None, ["bram@example.org"])
    cache_server.statuses = [503]
    purge.enqueue(["site"])
    run_worker(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(_closed_port()),
        PURGE_URLS=settings.PURGE_URLS[0],
        TASKS_MAX_ATTEMPTS="1",
    )
    samples = scrape(client)
    assert value(samples, "newsroom_mail_failed_total") == 1
    assert value(samples, "newsroom_mail_sent_total") == 0
    assert value(samples, "newsroom_purges_failed_total") == 1
    failures = "newsroom_task_failures_total"
    assert value(samples, failures, task="jobs.mail.deliver_email") == 1
    assert value(samples, failures, task="serving.tasks.purge") == 1


def test_every_gunicorn_worker_counts_into_one_scrape(tmp_path):
    """Several workers, one /metrics: the counts of all of them (multiprocess mode)."""
    env = _env(tmp_path, WEB_CONCURRENCY="3", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    _migrate(env)
    server = Server(env)
    try:
        for _ in range(30):
            assert server.get("/healthz")[0] == 200
        status, _, body = server.get("/metrics")
        assert status == 200
        samples = parse(body.decode())
        total = "newsroom_http_requests_total"
        assert value(samples, total, view="serving:healthz", status="200") == 30
    finally:
        server.stop()


@pytest.mark.django_db
def test_every_counted_task_and_the_metrics_the_docs_list_are_exported(client, settings):
    """A task named in METRICS_TASK_COUNTERS is exported with its outcomes (the briefing
    batches were counted but never exported), and every counter docs/deployment.md lists
    is in a scrape."""
    from pathlib import Path

    from serving import metrics

    metrics.count("briefing_batches_sent", amount=2)
    samples = scrape(client)
    assert value(samples, "newsroom_briefing_batches_sent_total") == 2
    for name in settings.METRICS_TASK_COUNTERS.values():
        for outcome in ("sent", "failed"):
            assert (f"newsroom_{name}_{outcome}_total", ()) in samples
    exported = {name for name, _ in samples}
    docs = (Path(__file__).resolve().parents[2] / "docs" / "deployment.md").read_text()
    listed = {n for n in re.findall(r"`(newsroom_[a-z_]+_total)`", docs)}
    assert listed and listed <= exported, listed - exported
