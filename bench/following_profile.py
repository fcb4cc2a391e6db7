"""Where a Following page request's CPU goes, in-process (issue 32): the WSGI app called
directly with the bench follower's session cookie (bench/prepare.py: 50 follows, 20
cards), beside the signed-in about page (the floor of every signed-in page) as the same
reader. No server, no network.

Run against a database seeded by bench/prepare.py, with the environment `make bench`
gives gunicorn (DEBUG=0, the same DATABASE_URL and REDIS_URL):

    python bench/following_profile.py              # CPU µs per request, both pages
    python bench/following_profile.py --profile    # and cProfile's top functions

CPU time of this thread (`time.thread_time`), not wall time: the machine is shared.
Not a test and not part of `make bench`: its figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.prepare import _cookie_header, _follower  # noqa: E402  (sets Django up)
from bench.profile_hit import APP, environ  # noqa: E402


def get(path: str, cookie: str) -> int:
    state = {}

    def start_response(status, headers, exc_info=None):
        state["status"] = int(status.split()[0])

    env = environ(path)
    env["HTTP_COOKIE"] = cookie
    body = APP(env, start_response)
    b"".join(body)
    body.close()
    return state["status"]


def per_request(path: str, cookie: str, n: int) -> float:
    t0 = time.thread_time()
    for _ in range(n):
        get(path, cookie)
    return (time.thread_time() - t0) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("-n", type=int, default=300, help="requests per page and round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile-page", default="Following page", help="or 'about page'")
    parser.add_argument(
        "--loop", type=float, default=0, help="only request the profiled page for this long "
        "(seconds), for a sampling profiler: py-spy record -r 200 -f raw -- python ..."
    )  # fmt: skip
    args = parser.parse_args()
    cookie = _cookie_header(_follower())
    pages = {"Following page": "/following/", "about page": "/pages/about/"}
    from django.urls import reverse

    pages["about page"] = reverse("articles:page", args=["about"])
    for path in pages.values():
        for _ in range(3):  # kept parts built, then in this process's memory
            assert get(path, cookie) == 200, path
    if args.loop:
        deadline = time.monotonic() + args.loop
        while time.monotonic() < deadline:
            get(pages[args.profile_page], cookie)
        return
    seen: dict[str, list[float]] = {label: [] for label in pages}
    # Rounds of one page at a time, the pages interleaved round by round: request by
    # request, the lighter page paid for the collections of the other's garbage.
    for _ in range(args.rounds):
        for label, path in pages.items():
            seen[label].append(per_request(path, cookie, args.n))
    found = {label: sorted(v)[len(v) // 2] for label, v in seen.items()}
    for label, cpu in found.items():
        print(f"{label:16} {cpu:8.0f} µs CPU per request (median of {args.rounds} rounds)")
    print(f"ratio            {found['Following page'] / found['about page']:8.2f}")
    if args.profile:
        for label in (args.profile_page,):
            profiler = cProfile.Profile(time.thread_time)  # CPU, not waits on the database
            profiler.enable()
            per_request(pages[label], cookie, args.n)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(30)
            stats.sort_stats("cumulative").print_stats(80)


if __name__ == "__main__":
    main()
