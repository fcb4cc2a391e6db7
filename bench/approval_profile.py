"""One approval in one process, step by step: CPU, SQL queries and cache round trips.

Against a database seeded as make bench seeds it (bench/approvals_ab.py leaves one), with
the settings of the environment (DATABASE_URL, REDIS_URL, ...). Per approval of the
oldest pending comment (the bench's writer's write, bench/writers.py), then the
approved article's page (a miss: its render), the home page (a refill: its counts), the
article again (a hit). Thread CPU time, medians over `--approvals`.

    DATABASE_URL=... REDIS_URL=... python bench/approval_profile.py --approvals 30
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
import writers  # noqa: E402 (bench/writers.py)
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from comments.models import Comment, Status  # noqa: E402

round_trips = 0
_execute = redis.Redis.execute_command
_pipeline = redis.client.Pipeline.execute


def _count(self, *args, **kwargs):
    global round_trips
    round_trips += 1
    return _execute(self, *args, **kwargs)


def _count_pipeline(self, *args, **kwargs):
    global round_trips
    round_trips += 1
    return _pipeline(self, *args, **kwargs)


redis.Redis.execute_command = _count
redis.client.Pipeline.execute = _count_pipeline


def step(work) -> tuple[float, int, int, object]:
    """(ms of this thread's CPU, SQL queries, cache round trips, result) of work()."""
    global round_trips
    round_trips = 0
    with CaptureQueriesContext(connection) as queries:
        t0 = time.thread_time()
        result = work()
        spent = (time.thread_time() - t0) * 1e3
    return spent, len(queries), round_trips, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--approvals", type=int, default=30)
    args = parser.parse_args()
    moderator = get_user_model().objects.filter(is_superuser=True).first() or (
        get_user_model().objects.get(username="bench-editor")
    )
    client = Client()
    seen: dict[str, list[tuple[float, int, int]]] = {}
    for _ in range(args.approvals):
        comment = Comment.objects.filter(status=Status.PENDING).order_by("created_at", "id")
        comment = comment.select_related("article").first()
        if comment is None:
            break
        url = comment.article.get_absolute_url()
        for page in (url, "/", url, "/"):  # both kept and current before the approval
            client.get(page)
        steps = {
            # The bench's writer's write (bench/writers.py): it approves this comment
            "approval (the bench's writer)": lambda: writers._approve(moderator),
            "article page after it": lambda u=url: client.get(u),
            "home page after it": lambda: client.get("/"),
            "article page again (hit)": lambda u=url: client.get(u),
        }
        for name, work in steps.items():
            spent, queries, trips, result = step(work)
            state = getattr(result, "headers", {}).get("X-Page-Cache", "")
            seen.setdefault(f"{name} {state}".strip(), []).append((spent, queries, trips))
    for name, rows in seen.items():
        print(
            f"{name:42} {len(rows):3}x  CPU {statistics.median(r[0] for r in rows):6.2f} ms"
            f"  queries {statistics.median(r[1] for r in rows):4.0f}"
            f"  cache round trips {statistics.median(r[2] for r in rows):4.0f}"
        )


if __name__ == "__main__":
    main()
