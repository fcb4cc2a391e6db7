"""Prometheus metrics at /metrics (docs/deployment.md lists them and what to alert on).

Two kinds of numbers, kept where the process that counts them can keep them:

- Per request, in the web process (requests by view and status, latency, page-cache hits
  and misses): prometheus-client counters in memory, a few microseconds each. gunicorn
  runs several worker processes, so gunicorn.conf.py points PROMETHEUS_MULTIPROC_DIR at
  a fresh directory and every worker writes its values there; a scrape, answered by any
  one worker, adds them all up.
- Work done by the task worker (mail and purges sent or failed, task failures by task)
  and feed polls: another process, maybe on another machine, so each event adds one to
  a row of `MetricCount` in the database (one upsert per mail, purge, poll or failure;
  never per request). The task queue's depth and the age of its oldest ready task are
  read from the queue's table at scrape time.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .models import MetricCount

logger = logging.getLogger(__name__)

HTTP_REQUESTS = Counter(
    "newsroom_http_requests", "HTTP requests answered, by view and status.", ["view", "status"]
)
HTTP_DURATION = Histogram(
    "newsroom_http_request_duration_seconds",
    "Time from the first middleware to the response, by view.",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PAGE_CACHE = Counter(
    "newsroom_page_cache_requests",
    "Anonymous page requests the page cache answered (hit, stale copies included) or "
    "had rendered (miss).",
    ["result"],
)


# Labelled children, looked up once per label set: `labels()` costs more than the count
# itself, on every cache hit. (Not at import: the gunicorn master imports this module
# before its metrics directory exists.) Bounded: views x statuses, and two results.
_children: dict[tuple, tuple] = {}


def page_cache(result: str) -> None:
    """Count a page-cache "hit" or "miss"."""
    child = _children.get(result)
    if child is None:
        child = _children[result] = PAGE_CACHE.labels(result)
    child.inc()


def observe_request(view: str, status: int, seconds: float) -> None:
    key = (view, status)
    pair = _children.get(key)
    if pair is None:
        pair = _children[key] = (HTTP_DURATION.labels(view), HTTP_REQUESTS.labels(view, status))
    pair[0].observe(seconds)
    pair[1].inc()


# Counts kept in the database: name -> help. Each is exposed as newsroom_<name>_total.
STORED = {
    "mail_sent": "Mails handed to the delivery backend (SMTP) by the task worker.",
    "mail_failed": "Mail delivery attempts that failed (each is retried, then given up).",
    "briefings_failed": "Briefings and story-update mails given up for their reader alone: "
    "not composed, or refused by the mail server for good (the Delivery row says why).",
    "purges_sent": "Purge tasks that reached every HTTP cache in PURGE_URLS.",
    "purges_failed": "Purge attempts that failed (each is retried).",
    "feed_polls": "Feed polls run.",
    "feed_poll_failures": "Feed polls whose feed could not be fetched or parsed.",
}
TASK_FAILURES = "task_failures"


def count(name: str, label: str = "", amount: int = 1) -> None:
    """Add `amount` to the stored count `name` (per `label`): one upsert, safe from any
    number of processes at once. A database error is logged, never raised: a count must
    not fail the work it counts (in a savepoint, so a transaction around it goes on)."""
    table = connection.ops.quote_name(MetricCount._meta.db_table)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (name, label, value) VALUES (%s, %s, %s) "
                f"ON CONFLICT (name, label) DO UPDATE SET value = {table}.value + excluded.value",
                [name, label, amount],
            )
    except DatabaseError:
        logger.exception("Could not count %s %s", name, label)


def count_task_outcome(sender, task_result, **kwargs) -> None:
    """task_finished receiver (any backend): mail and purges by outcome (the tasks named in
    METRICS_TASK_COUNTERS), and every failure by task. Never raises into the worker."""
    path = task_result.task.module_path
    failed = task_result.status == TaskResultStatus.FAILED
    name = getattr(settings, "METRICS_TASK_COUNTERS", {}).get(path)
    if name:
        count(f"{name}_{'failed' if failed else 'sent'}")
    if failed:
        count(TASK_FAILURES, path)


def count_lost_task(path: str) -> None:
    """A run whose worker was lost (jobs/recovery.py) failed like one that raised: a task
    failure, and a failed attempt of a mail or purge (which is retried or given up)."""
    count(TASK_FAILURES, path)
    name = getattr(settings, "METRICS_TASK_COUNTERS", {}).get(path)
    if name:
        count(f"{name}_failed")


def _stored_names() -> dict[str, str]:
    """STORED, and the outcome counts of every task METRICS_TASK_COUNTERS names (counted
    by `count_task_outcome`), so a task added there is exported without a second edit."""
    names = dict(STORED)
    for task, name in getattr(settings, "METRICS_TASK_COUNTERS", {}).items():
        names.setdefault(f"{name}_sent", f"Runs of {task} that succeeded.")
        names.setdefault(f"{name}_failed", f"Runs of {task} that failed (each is retried).")
    return names


class StoredCollector:
    """The database's counts and the task queue, read at each scrape (two queries)."""

    def collect(self):
        stored = {
            n: CounterMetricFamily(f"newsroom_{n}", text) for n, text in _stored_names().items()
        }
        failures = CounterMetricFamily(
            "newsroom_task_failures",
            "Task runs that raised or whose worker was lost, by task.",
            labels=["task"],
        )
        for name, label, value in MetricCount.objects.values_list("name", "label", "value"):
            if name == TASK_FAILURES:
                failures.add_metric([label], value)
            elif name in stored:
                stored[name].add_metric([], value)
        for family in stored.values():
            if not family.samples:
                family.add_metric([], 0)
        yield from stored.values()
        yield failures
        queued, oldest = queue_state()
        yield GaugeMetricFamily("newsroom_tasks_queued", "Tasks ready to run now.", value=queued)
        yield GaugeMetricFamily(
            "newsroom_task_oldest_queued_age_seconds",
            "How long the oldest task ready to run has waited (0: none waiting).",
            value=oldest,
        )


def queue_state() -> tuple[int, float]:
    """(tasks ready to run now, seconds the oldest of them has waited). A task waits from
    its enqueueing, or from its `run_after` when it had one (a retry's backoff)."""
    never = get_date_max()
    found = DBTaskResult.objects.ready().aggregate(
        queued=Count("pk"),
        enqueued=Min("enqueued_at", filter=Q(run_after=never)),
        deferred=Min("run_after", filter=~Q(run_after=never)),
    )
    since = [at for at in (found["enqueued"], found["deferred"]) if at is not None]
    if not since:
        return found["queued"], 0.0
    return found["queued"], max((timezone.now() - min(since)).total_seconds(), 0.0)


_stored = CollectorRegistry()
_stored.register(StoredCollector())


def exposition() -> bytes:
    """Every metric in Prometheus's text format."""
    if settings.PROMETHEUS_MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_stored)


def allowed(request: HttpRequest) -> bool:
    """The peer is in METRICS_ALLOWED_IPS (addresses or networks), or the request has
    `Authorization: Bearer <METRICS_TOKEN>`. The peer, never X-Forwarded-For: anyone
    can write that header."""
    token = getattr(settings, "METRICS_TOKEN", "")
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for entry in getattr(settings, "METRICS_ALLOWED_IPS", []):
        try:
            if peer in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            logger.warning("METRICS_ALLOWED_IPS: not an address: %s", entry)
    return False


def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        response = HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    else:
        response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else "unresolved"


class RequestMetricsMiddleware:
    """First in MIDDLEWARE: counts every response by view and status, with its time. A
    page-cache hit is named after the view it stands for (serving.cache sets
    `request.resolver_match`); an address no view matched is "unresolved", so made-up
    paths cannot grow the label set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        observe_request(_view_name(request), response.status_code, time.perf_counter() - started)
        return response
