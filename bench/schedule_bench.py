"""Feed scheduling benchmark: 1,000 sources, two real workers, the scheduler tick's cost.

    python bench/schedule_bench.py [--sources 1000] [--workers 2]

Serves one small RSS feed per source from a local HTTP server on 127.0.0.1 (ephemeral
port) and counts the requests per feed. Then, twice (a first poll of every source, and a
second round once every feed is due again): scheduler ticks run until nothing is due
(each enqueues at most FEED_POLLS_PER_TICK polls), then --workers `db_worker` processes
drain the queue, and the benchmark checks that every feed was fetched exactly once in the
round and no task ran twice; it reports the median and the slowest of those ticks. It
also times ticks with nothing due and with 10 feeds due (the steady state: feeds fall due
a few at a time). Ticks run with DEBUG off, as in production (the debug cursor's query
log is not part of a tick's cost). Uses its own throw-away database (SQLite in var/, or
the PostgreSQL of DATABASE_URL).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ["FEED_ALLOW_PRIVATE_HOSTS"] = "1"  # the feeds are on loopback

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from articles.models import Source  # noqa: E402
from bench.database import throwaway_database  # noqa: E402
from ingest.models import FeedState  # noqa: E402
from jobs.scheduler import tick  # noqa: E402
from tests.jobs.worker import database_url, start_workers  # noqa: E402

SCHEDULE = {"ingest.scheduling.enqueue_due_polls": 0}


class FeedServer:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        lock, hits = threading.Lock(), self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                with lock:
                    hits[self.path] += 1
                n = self.path.rsplit("/", 1)[-1]
                body = (
                    '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed '
                    f"{n}</title><link>http://example.org/</link><description>d</description>"
                    f"<item><title>Story {n}</title><guid>s-{n}</guid>"
                    f"<link>http://example.org/{n}</link><description>Text {n}</description>"
                    "</item></channel></rss>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def drain(workers: int) -> float:
    env = {**os.environ, "DATABASE_URL": database_url(), "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    procs = start_workers(workers, env, prefix="bench")
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit("a worker failed")
    return time.monotonic() - started


def timed_tick() -> float:
    started = time.perf_counter()
    tick()
    return (time.perf_counter() - started) * 1000


def tick_until_idle() -> list[float]:
    """Tick until a tick enqueues nothing; the costs (ms) of the ticks that enqueued."""
    costs = []
    while True:
        before = DBTaskResult.objects.count()
        ms = timed_tick()
        if DBTaskResult.objects.count() == before:
            return costs
        costs.append(ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    settings.SCHEDULER_JOBS = SCHEDULE
    settings.DEBUG = False
    with throwaway_database("bench_schedule"):
        server = FeedServer()
        timed_tick()  # imports and first queries: a process's start, not a tick's cost
        Source.objects.bulk_create(
            Source(name=f"Bench {i}", slug=f"bench-{i}", feed_url=f"{server.base}/feed/{i}")
            for i in range(args.sources)
        )
        gc.freeze()  # as run_scheduler does before its first tick
        rows = []
        for round_no in (1, 2):
            if round_no == 2:
                FeedState.objects.update(next_poll_at=timezone.now() - timedelta(seconds=1))
            started = timezone.now()
            ticks = tick_until_idle()
            queued = DBTaskResult.objects.filter(status="READY").count()
            seconds = drain(args.workers)
            per_feed = Counter(server.hits.values())
            tasks = DBTaskResult.objects.filter(task_path="ingest.tasks.poll_feed")
            twice = sum(1 for t in tasks if len(t.worker_ids) != 1)
            by_worker = Counter(
                t.worker_ids[0] for t in tasks.filter(enqueued_at__gte=started) if t.worker_ids
            )
            ok = per_feed == Counter({round_no: args.sources}) and twice == 0
            rows.append(
                (round_no, ticks, queued, seconds, dict(per_feed), twice, dict(by_worker), ok)
            )
        idle = [timed_tick() for _ in range(20)]
        few = []
        for _ in range(10):
            pks = list(FeedState.objects.values_list("pk", flat=True)[:10])
            FeedState.objects.filter(pk__in=pks).update(next_poll_at=timezone.now())
            few.append(timed_tick())

    print(
        f"Feed scheduling: {args.sources} sources, {args.workers} workers, {connection.vendor}, "
        f"{settings.FEED_POLLS_PER_TICK} polls per tick at most"
    )
    for round_no, ticks, queued, seconds, per_feed, twice, by_worker, ok in rows:
        print(
            f"round {round_no}: {len(ticks)} ticks enqueued {queued} polls, tick median "
            f"{statistics.median(ticks):.1f} ms, max {max(ticks):.1f} ms "
            f"({' '.join(f'{ms:.0f}' for ms in ticks)}); drained in "
            f"{seconds:.1f} s ({queued / seconds:.0f} polls/s); fetches per feed {per_feed}; "
            f"tasks run more than once: {twice}; per worker {sorted(by_worker.values())}; "
            f"{'OK' if ok else 'FAILED'}"
        )
    print(
        f"tick, nothing due: median {statistics.median(idle):.1f} ms, max {max(idle):.1f} ms; "
        f"10 feeds due: median {statistics.median(few):.1f} ms, max {max(few):.1f} ms"
    )
    if not all(row[-1] for row in rows):
        raise SystemExit("some feed was not polled exactly once per round")


if __name__ == "__main__":
    main()
