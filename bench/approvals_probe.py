"""What approving comments costs the readers (issues 29 and 34), taken apart.

make bench's set-up (bench/run.py: the database, the seed, gunicorn from
gunicorn.conf.py) and the mixed rows' reads (home and 200 articles, bench/mixed.lua), in
windows of `--seconds`, each round taking in turn: reads alone, reads while the bench's
writer approves comments on the articles read (`approve`), and reads while a writer
approves comments on articles nobody reads (`approve-unread`). Per window: req/s, the
CPU every process on the machine used (so the gunicorn workers' CPU per request), the
pages the page cache rendered (/metrics), and on request py-spy's stacks of every worker.

    python bench/approvals_probe.py --windows 10 --seconds 3
    python bench/approvals_probe.py --py-spy /path/to/py-spy --out /tmp/approvals
    PROBE_ACCESS_LOG=/tmp/access.log python bench/approvals_probe.py   # which pages missed

py-spy is not a project dependency. Not part of `make bench`: its findings are in
docs/benchmarks.md ("What an approval costs the readers").
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import run as bench  # bench/run.py
from load import LUA, PY, ROOT, Gunicorn, wrk
from machine import without_autogroup
from mixed import Writer, warm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Pending comments on articles no row reads (the 600th to 800th newest: past the
# spread rows' 600 too), for the `approve-unread` writer.
UNREAD_PENDING = """
import django; django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from articles.models import Article
from comments import services
settings.COMMENTS_FLOOD_SECONDS = 0
authors = list(get_user_model().objects.filter(username__startswith="bench-commenter-"))
for article in Article.objects.published().order_by("-published_at")[600:800]:
    for n in range(3):
        author, body = authors[(article.pk + n) % len(authors)], f"Remark {n} on {article.pk}."
        services.post_comment(article=article, author=author, body=body)
"""
PAGE_METRICS = (
    "newsroom_page_cache_requests_total",
    "newsroom_http_request_duration_seconds_sum",
)


def cpu_by_command() -> dict[str, float]:
    """CPU seconds used so far by every process on the machine, summed by command line."""
    found: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        name = cmd[:60] or stat.split("(", 1)[1].split(")")[0]
        found[name] = found.get(name, 0) + (int(fields[11]) + int(fields[12])) / tick
    return found


def page_metrics(url: str) -> dict[str, float]:
    """The page cache's hits and misses and the seconds spent per view (/metrics)."""
    found: dict[str, float] = {}
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(PAGE_METRICS):
                name, value = line.rsplit(" ", 1)
                found[name.removeprefix("newsroom_")] = float(value)
    return found


def record(args, pid: int, output: Path) -> subprocess.Popen:
    """py-spy (`args.py_spy`) over a gunicorn and its workers for `args.seconds`, its
    folded stacks to `output`."""
    output.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [args.py_spy, "record", "--pid", str(pid), "--subprocesses"]
        + ["--nonblocking", "--format", "raw", "--rate", "200"]
        + ["--duration", str(args.seconds), "--output", str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="pg", help="pg or sqlite")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--windows", type=int, default=6, help="rounds of all the states")
    parser.add_argument("--seconds", type=int, default=3, help="per window")
    parser.add_argument("--kind", default="approve,approve-unread", help="writers, in turn")
    parser.add_argument(
        "--comments", type=int, default=100_000, help="seeded, as make bench at any --articles"
    )
    parser.add_argument("--py-spy", default="", help="py-spy's path: record every window")
    parser.add_argument("--out", default="/tmp/approvals", help="py-spy's folded stacks")
    args = parser.parse_args()
    # bench/prepare.py's seed as make bench seeds it: its --comments (100,000) whatever
    # --articles, so `make bench --articles 1000` has about 100 comments an article, and
    # an approval re-renders a thread of that size (this probe seeded a tenth of that
    # until the eighth session)
    args.sources, args.topics = 20, 50
    with tempfile.TemporaryDirectory(prefix="approvals-probe-") as tmp, without_autogroup():
        env = bench.scenario_env(args.scenario, Path(tmp), args.articles)
        facts = bench.prepare(env, args, args.articles)
        log = os.environ.get("PROBE_ACCESS_LOG")
        extra = (
            {
                "GUNICORN_CMD_ARGS": f"--access-logfile {log} --access-logformat "
                "'%(t)s %(U)s %({x-page-cache}o)s %(M)s'"
            }
            if log
            else {}
        )
        server = Gunicorn({**env, **extra})
        try:
            probe(server, env, facts, args)
        finally:
            server.stop()


def probe(server, env: dict, facts: dict, args) -> None:
    paths = Path(env["VAR_DIR"]) / "paths.txt"
    paths.write_text("\n".join(facts["mixed_paths"]) + "\n")
    os.environ.update(BENCH_PATHS=str(paths), BENCH_REPORT_LUA=str(LUA))
    Writer("poll-setup", env).stop()
    warm(server.url, facts["mixed_paths"])
    bench.run([PY, "-c", UNREAD_PENDING], env)
    writers = {kind: Writer(kind, env, paused=True) for kind in args.kind.split(",")}

    def reads(seconds: int) -> dict:
        return wrk(
            server.url + "/",
            duration=seconds,
            connections=16,
            threads=2,
            script=ROOT / "bench" / "mixed.lua",
        )

    reads(2)
    seen: dict[str, list[tuple[float, float]]] = {}  # state: (req/s, worker µs a request)
    for n in range(args.windows):
        for state in ("alone", *writers):
            for kind, writer in writers.items():
                (writer.resume if state == kind else writer.pause)()
            time.sleep(1)  # what the last window's writes cost falls before this one
            spy = None
            if args.py_spy:
                spy = record(args, server.proc.pid, Path(args.out) / f"{n}-{state}.txt")
            cpu0, pages0 = cpu_by_command(), page_metrics(server.url)
            result = reads(args.seconds)
            cpu1, pages1 = cpu_by_command(), page_metrics(server.url)
            if spy:
                spy.wait()
            used = sorted(((cpu1[k] - cpu0.get(k, 0), k) for k in cpu1), reverse=True)
            workers = sum(s for s, k in used if "gunicorn" in k)
            per_request = workers / max(1, result["requests"]) * 1e6
            seen.setdefault(state, []).append((result["rps"], per_request))
            print(
                f"window {n} {state:14} {result['rps']:7.0f} req/s  p99 {result['p99']:6.1f} ms"
                f"  workers {per_request:5.0f} µs CPU a request",
                flush=True,
            )
            for name in sorted(pages1):
                if pages1[name] != pages0.get(name, 0):
                    print(f"    {pages1[name] - pages0.get(name, 0):10.3f}  {name}", flush=True)
            for seconds, command in used[:5]:
                print(f"    {seconds:6.2f} CPU-s  {command}", flush=True)
    for kind, writer in writers.items():
        print(f"writes {kind}: {writer.stop()}")
    for state, found in seen.items():
        ratios = sorted(r / a for (r, _), (a, _) in zip(found, seen["alone"], strict=True))
        costs = sorted(c for _, c in found)
        print(
            f"{state:14} req/s / alone: median {ratios[len(ratios) // 2]:.3f} "
            f"({', '.join(f'{r:.2f}' for r in ratios)}); workers' CPU a request: "
            f"median {costs[len(costs) // 2]:.0f} µs"
        )


if __name__ == "__main__":
    main()
