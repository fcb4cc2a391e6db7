"""Where a page-cache hit's time goes, in-process (issue 34): the WSGI app called directly,
no server, no network, so what is left is Django's and the page cache's own work.

Run against a database seeded by bench/prepare.py, with the environment `make bench`
gives gunicorn (DEBUG=0, the same DATABASE_URL, REDIS_URL or not):

    python bench/profile_hit.py              # µs per hit: one article, home, 600 spread
    python bench/profile_hit.py --profile    # and cProfile's top functions of the spread

CPU time of this thread, not wall time (the machine is often shared), beside the static
file served by the same stack (WhiteNoise), the ceiling of every ratio in make bench.

Not a test and not part of `make bench`: its figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles.storage import staticfiles_storage  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from articles.models import Article  # noqa: E402

APP = get_wsgi_application()


def environ(path: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def get(path: str) -> str:
    state = {}

    def start_response(status, headers, exc_info=None):
        state["status"] = status
        state["cache"] = dict(headers).get("X-Page-Cache", "")

    body = APP(environ(path), start_response)
    b"".join(body)
    body.close()
    return state["cache"]


def per_hit(paths: list[str], n: int, rng: random.Random) -> float:
    """CPU µs per request of `n` requests over `paths` (picked at random)."""
    picks = [rng.choice(paths) for _ in range(n)]
    t0 = time.thread_time()
    for path in picks:
        get(path)
    return (time.thread_time() - t0) / n * 1e6


def medians(rows: list[tuple[str, list[str]]], n: int, runs: int = 7) -> dict[str, float]:
    """Each row's median over `runs` rounds, the rows interleaved in every round (so
    each sees the same moments of a shared machine)."""
    rng = random.Random(7)
    seen: dict[str, list[float]] = {label: [] for label, _ in rows}
    for _ in range(runs):
        for label, paths in rows:
            seen[label].append(per_hit(paths, n, rng))
    return {label: sorted(found)[len(found) // 2] for label, found in seen.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("-n", type=int, default=2000)
    args = parser.parse_args()
    articles = Article.objects.published().order_by("-published_at")[:600]
    spread = ["/", *(a.get_absolute_url() for a in articles)]
    for path in spread:
        get(path)  # stored
        get(path)  # and in this process's memory
    states = {get(p) for p in spread}
    print(f"X-Page-Cache of a warm pass: {states}")
    static = staticfiles_storage.url("css/site.css")
    rows = [
        ("static file", [static]),
        ("one article", spread[1:2]),
        ("home", spread[:1]),
        (f"home + {len(spread) - 1} articles", spread),
    ]
    found = medians(rows, args.n)
    for label, cpu in found.items():
        ratio = found["static file"] / cpu
        print(f"{label:24} {cpu:8.1f} µs CPU per request  {ratio:5.2f} x static")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        per_hit(spread, args.n, random.Random(7))
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats("tottime")
        stats.print_stats(25)


if __name__ == "__main__":
    main()
