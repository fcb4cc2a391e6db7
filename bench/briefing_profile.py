"""Where a briefing's time goes, per mail: composing (claim, stories, templates, MIME,
queueing) and sending (the worker's task handling and SMTP to a local sink).

    python bench/briefing_profile.py [--articles 10000] [--mails 1000]

Seeds a throw-away database as bench/briefing_bench.py does, then, in this process:
`send_due()` for --mails readers (the mails queued as the production settings queue
them), then one in-process `db_worker` (batch mode) that delivers them by SMTP to an
aiosmtpd sink running in another thread (its CPU is not counted). Each phase runs twice
on readers of their own: once plain, for the figures per mail (wall time, this thread's
CPU, the PostgreSQL backend's CPU from /proc when the server is local), and once under
cProfile (this thread's CPU clock), for the functions that took the most.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import time

from briefing_bench import (  # also sets Django up
    CountingSink,
    cpu_seconds,
    seed,
)
from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker

from bench.database import throwaway_database
from following import briefings
from following.models import ReaderSettings

logging.getLogger("django_tasks_db").setLevel(logging.WARNING)  # a line per task


def _server_cpu() -> float:
    """CPU seconds of the database backend serving this connection (0 when not local)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        return cpu_seconds(pid)
    except OSError:
        return 0.0


def measure(label: str, work, profiled: bool) -> str:
    """Run work() (it returns how many mails); the report per mail."""
    profile = cProfile.Profile(time.thread_time)
    wall, cpu, server = time.perf_counter(), time.thread_time(), _server_cpu()
    if profiled:
        profile.enable()
    mails = work()
    profile.disable()
    server = _server_cpu() - server
    wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    per = 1e6 / mails
    head = f"== {label}{' (under cProfile)' if profiled else ''}: {mails} mails; per mail: "
    head += f"wall {wall * per:.0f} us, this thread's CPU {cpu * per:.0f} us, "
    head += f"database backend's CPU {server * per:.0f} us (this connection)"
    if not profiled:
        return head
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
    return head + "\n" + out.getvalue()


def compose(user_ids: list[int]) -> int:
    return briefings.send_due(user_ids=user_ids, budget=float("inf"))[1]


def deliver(sink: CountingSink) -> int:
    before = sink.count
    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="profile", excluded_queue_names=[],
    ).run()  # fmt: skip
    return sink.count - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--mails", type=int, default=1000, help="In each of the two runs.")
    args = parser.parse_args()
    settings.DEBUG = False
    with throwaway_database("bench_briefing_profile"):
        seed(2 * args.mails, args.articles)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        sink = CountingSink()
        settings.EMAIL_BACKEND = "jobs.mail.QueuedEmailBackend"
        settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        readers = list(ReaderSettings.objects.order_by("user_id").values_list("user_id", flat=True))
        for profiled, part in ((False, readers[: args.mails]), (True, readers[args.mails :])):
            print(measure("compose (send_due)", lambda p=part: compose(p), profiled))
            print(measure("send (db_worker, SMTP)", lambda: deliver(sink), profiled))
        sink.controller.stop()


if __name__ == "__main__":
    main()
