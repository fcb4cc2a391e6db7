"""Morning briefing throughput: N opted-in readers following 5 things each over 10,000
recent stories, composed by two real workers and handed to a local SMTP sink.

    python bench/briefing_bench.py [--readers 20000] [--articles 10000] [--workers 2]

Seeds a throw-away database (SQLite in var/, or the PostgreSQL of DATABASE_URL) in bulk:
sources, topics, recent articles each in a story (one in five stories gets a second
report), two key points per story, readers with five follows each (topics, sources,
authors, stories) and the briefing due now. Then enqueues BRIEFING_TASKS
`send_due_briefings` tasks and runs --workers `db_worker` processes (DEBUG off, mail
through jobs.mail's queue and Django's SMTP backend to an aiosmtpd sink on 127.0.0.1 that
only counts). Reports mails per second from the first task to the last mail received,
that every reader got exactly one mail, the workers' resident memory over the run
(sampled from /proc every second) and the SQL queries per mail (measured in this process
on a batch of 50, the same code the workers run).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's lines per connection

from aiosmtpd.controller import Controller  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from articles.models import Article, Source, Topic  # noqa: E402
from bench.database import throwaway_database  # noqa: E402
from bench.story_seed import group_in_stories  # noqa: E402
from following import briefings  # noqa: E402
from following.models import Delivery, Follow, ReaderSettings  # noqa: E402
from tests.jobs.worker import database_url, start_workers  # noqa: E402
from tests.processes import free_port  # noqa: E402


class CountingSink:
    """An SMTP server that keeps only who got how many mails."""

    def __init__(self) -> None:
        self.per_recipient: Counter[str] = Counter()
        self.first = self.last = None
        lock, sink = threading.Lock(), self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                with lock:
                    sink.per_recipient.update(envelope.rcpt_tos)
                    sink.last = time.monotonic()
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def count(self) -> int:
        return sum(self.per_recipient.values())


def seed(readers: int, articles: int) -> None:
    now = timezone.now()
    sources = Source.objects.bulk_create(
        Source(name=f"Bench Source {i}", slug=f"bench-source-{i}") for i in range(200)
    )
    topics = Topic.objects.bulk_create(
        Topic(name=f"Bench Topic {i}", slug=f"bench-topic-{i}") for i in range(50)
    )
    rows = Article.objects.bulk_create(
        Article(
            title=f"Bench report {i}",
            slug=f"bench-report-{i}",
            summary="A summary of the report.",
            body="<p>The body.</p>",
            source=sources[i % len(sources)],
            byline=f"Writer {i % 500}",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=1 + i * 1440 / articles),
        )
        for i in range(articles)
    )
    Article.topics.through.objects.bulk_create(
        Article.topics.through(article_id=a.pk, topic_id=topics[i % len(topics)].pk)
        for i, a in enumerate(rows)
    )
    stories = group_in_stories(rows)
    users = User.objects.bulk_create(
        User(username=f"bench-{i}", email=f"reader{i}@bench.example", password="!")
        for i in range(readers)
    )
    rng = random.Random(32)
    follows = []
    for user in users:
        follows += [
            Follow(user=user, kind="topic", topic=rng.choice(topics)),
            Follow(user=user, kind="source", source=rng.choice(sources)),
            Follow(user=user, kind="author", author_slug=f"writer-{rng.randrange(500)}"),
            Follow(user=user, kind="story", story=rng.choice(stories)),
            Follow(user=user, kind="topic", topic=rng.choice(topics)),
        ]
    Follow.objects.bulk_create(follows, ignore_conflicts=True, batch_size=5000)
    ReaderSettings.objects.bulk_create(
        (
            ReaderSettings(user=u, briefing=True, next_mail_at=now - timedelta(minutes=1))
            for u in users
        ),
        batch_size=5000,
    )


def queries_per_mail() -> float:
    """Queries of a batch of 10 and of 50 due readers: the difference over 40 mails."""
    counts = []
    for size in (10, 50):
        settings.BRIEFING_BATCH_SIZE = size
        with CaptureQueriesContext(connection) as ctx:
            readers, mails = briefings.send_batch()
        assert readers == mails == size, (readers, mails)
        counts.append(len(ctx.captured_queries))
    return (counts[1] - counts[0]) / 40


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (a wall rate on a shared machine says little)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_workers(workers: int, sink: CountingSink, cap: float) -> tuple[float, dict, dict]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "SECRET_KEY": "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "PYTHONUNBUFFERED": "1",
    }
    for _ in range(settings.BRIEFING_TASKS):
        briefings.send_due_briefings.enqueue()
    started = time.monotonic()
    procs = start_workers(workers, env, prefix="bench")
    memory: dict[int, list[int]] = {p.pid: [] for p in procs}
    cpu: dict[int, float] = {p.pid: 0.0 for p in procs}
    while any(p.poll() is None for p in procs):
        if time.monotonic() - started > cap:  # a busy machine: report the rate so far
            for p in procs:
                p.kill()
            for p in procs:
                p.wait()
            return time.monotonic() - started, memory, cpu
        for p in procs:
            if p.poll() is None:
                memory[p.pid].append(rss_kb(p.pid))
                cpu[p.pid] = cpu_seconds(p.pid)
        time.sleep(1)
    if any(p.returncode for p in procs):
        raise SystemExit("a worker failed")
    end = sink.last or time.monotonic()
    return end - started, memory, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=20000)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=3600, help="Stop the workers then.")
    args = parser.parse_args()
    settings.DEBUG = False
    with throwaway_database("bench_briefing"):
        t0 = time.monotonic()
        seed(args.readers + 60, args.articles)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
        seeded = time.monotonic() - t0
        sink = CountingSink()
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        per_mail = queries_per_mail()  # 60 readers mailed here, not by the workers
        sink_cpu = time.process_time()  # this process: the sink's thread, mostly
        seconds, memory, cpu = run_workers(args.workers, sink, args.seconds)
        sink_cpu = time.process_time() - sink_cpu
        once = Counter(sink.per_recipient.values())
        deliveries = Delivery.objects.filter(mailed=True).count()
        sink.controller.stop()
    mails = sink.count
    print(
        f"Briefings: {args.readers} readers x 5 follows, {args.articles} articles, "
        f"{args.workers} workers, {connection.vendor}; seeded in {seeded:.0f} s"
    )
    print(f"{mails} mails received in {seconds:.1f} s: {mails / seconds:.0f} mails/s")
    print(
        f"mails per reader: {dict(once)} (Counter of mails per address); "
        f"deliveries recorded: {deliveries} (60 of them composed in-process for the count)"
    )
    print(f"SQL queries per mail (composition, in-process): {per_mail:.1f}")
    for pid, samples in memory.items():
        if samples:
            tenth = samples[len(samples) // 10]
            print(
                f"worker {pid} RSS: at a tenth of the run {tenth / 1024:.0f} MB, "
                f"peak {max(samples) / 1024:.0f} MB, last sample {samples[-1] / 1024:.0f} MB "
                f"({len(samples)} samples, 1 s apart)"
            )
    workers_cpu = sum(cpu.values())
    print(
        f"CPU (user + sys): workers {workers_cpu:.0f} s = {workers_cpu / mails * 1e3:.2f} ms "
        f"a mail (to their last 1 s sample); the SMTP sink's process {sink_cpu:.0f} s = "
        f"{sink_cpu / mails * 1e3:.2f} ms a mail; the database's not counted"
    )


if __name__ == "__main__":
    main()
