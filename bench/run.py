"""`make bench`: load-test the site as production runs it and write docs/benchmarks.md.

For each scenario (PostgreSQL + Redis, and the embedded default: SQLite + the cache on
disk every process shares) and each data size:
a fresh database is migrated and seeded (bench/prepare.py), static files are collected,
gunicorn starts from gunicorn.conf.py with production settings (DEBUG off), and wrk
(Debian's package) drives it from a separate process: a static file, the home page, an
article on a cache hit, the same article for a signed-in reader (never cached), search and
the RSS feed, and reads spread over home and 600 articles (uniform, and Zipf s = 1.1). Then
two gunicorn instances share the database and the cache and a publish on one must be
visible on the other at once.

    python bench/run.py                       # defaults: 10,000 articles, both scenarios
    python bench/run.py --sizes 1000,10000 --duration 10 --connections 16

Never part of `make test`: it takes minutes and needs wrk, PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from instances import two_instances
from load import PY, ROOT, Gunicorn, wrk
from machine import machine, without_autogroup
from mixed import (
    CACHE_TIER_NICE,
    TaskWorker,
    mixed_rows,
    start_varnish,
    visible_through_varnish,
)
from reads import measure
from report import write_report

PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
# A Redis database of its own: test suites flush theirs (cache.clear() is FLUSHDB).
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def run(cmd: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, cwd=ROOT, env=env, check=True, text=True, **kw)
    except subprocess.CalledProcessError as exc:
        if exc.stderr:  # captured: show why it failed
            print(exc.stderr[-4000:], file=sys.stderr)
        raise


def base_env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    for name in ("REDIS_URL", "DATABASE_URL", "CACHE_KEY_PREFIX", "PAGE_CACHE_TIMEOUT"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="0",
        # Plain HTTP on loopback (TLS ends at the proxy); everything else as in production.
        HTTPS="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SITE_URL="http://127.0.0.1",
        VAR_DIR=str(tmp),
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        LOG_LEVEL="WARNING",
        # wrk is one address: the API's limit still counts every request (its cost is in
        # the figures) but must not answer 429s.
        API_RATE_ANON="1000000000/60",
        # Approving a comment mails its author: no SMTP server here.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def scenario_env(kind: str, tmp: Path, size: int) -> dict:
    env = base_env(tmp)
    if kind == "pg":
        # BENCH_PG_PREFIX: a name of its own when several people bench on one server.
        name = f"{os.environ.get('BENCH_PG_PREFIX', 'newsroom_bench')}_{size}"
        subprocess.run(
            [
                "psql",
                PG_ADMIN_URL + "/postgres",
                "-qc",
                f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
            ],
            check=True,
        )
        subprocess.run(
            ["psql", PG_ADMIN_URL + "/postgres", "-qc", f"CREATE DATABASE {name}"], check=True
        )
        env["DATABASE_URL"] = f"{PG_ADMIN_URL}/{name}"
        env["REDIS_URL"] = REDIS
        env["CACHE_KEY_PREFIX"] = f"bench-{secrets.token_hex(4)}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    return env


def prepare(env: dict, args, size: int) -> dict:
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    t0 = time.monotonic()
    run(
        [
            PY,
            "bench/prepare.py",
            "seed",
            f"--articles={size}",
            f"--sources={args.sources}",
            f"--topics={args.topics}",
            f"--comments={args.comments * size // args.articles}",
        ],
        env,
    )
    seed_seconds = time.monotonic() - t0
    out = run([PY, "bench/prepare.py", "facts"], env, capture_output=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH_FACTS "))
    facts = json.loads(line.removeprefix("BENCH_FACTS "))
    facts["seed_seconds"] = round(seed_seconds, 1)
    return facts


def measure_mixed(server: Gunicorn, env: dict, facts: dict, args, tmp: Path) -> dict:
    """Reads while writing, on the app and through Varnish; Varnish's own hit rate and
    how soon a publish shows through it."""
    print("  -- mixed load on the app", flush=True)
    app_rows = mixed_rows(server.url, env, facts, args, wrk, where="app")
    varnish = start_varnish(server.url, tmp)
    venv = {**env, **varnish.purge_env()}
    # Purges are tasks (serving/purge.py): a task worker sends them, as in production.
    purger = TaskWorker(venv, tmp / "task-worker.log")
    try:
        print("  -- through Varnish", flush=True)
        hits = []
        for _ in range(args.rounds):
            for url in (server.url, varnish.url):
                hits.append(
                    (
                        url,
                        wrk(
                            url + facts["urls"]["article"],
                            duration=args.duration,
                            connections=args.connections,
                            threads=args.threads,
                            nice=CACHE_TIER_NICE if url == varnish.url else 0,
                        ),
                    )
                )
        app_hit = sorted(r["rps"] for u, r in hits if u == server.url)[len(hits) // 4]
        varnish_hit = sorted(r["rps"] for u, r in hits if u == varnish.url)[len(hits) // 4]
        varnish_rows = mixed_rows(
            varnish.url, venv, facts, args, wrk, where="Varnish", nice=CACHE_TIER_NICE
        )
        seen = visible_through_varnish(varnish.url, venv, facts)
    finally:
        worker = purger.stop()
        varnish.stop()
    print(f"  article hit: app {app_hit:.0f} rps, Varnish {varnish_hit:.0f} rps", flush=True)
    print(f"  publish visible through Varnish after {seen} s; task worker {worker}", flush=True)
    return {
        "mixed": app_rows + varnish_rows,
        "mixed_rounds": args.rounds,
        "mixed_duration": args.mixed_duration,
        "varnish": {
            "app_hit": app_hit,
            "varnish_hit": varnish_hit,
            "visible_after": seen,
            "worker": worker,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="the default size")
    parser.add_argument(
        "--sizes", default="", help="comma-separated article counts (default: --articles)"
    )
    parser.add_argument(
        "--sqlite-sizes", default="", help="article counts for SQLite (default: --sizes)"
    )
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--topics", type=int, default=50)
    parser.add_argument(
        "--comments", type=int, default=100_000, help="at --articles; scaled with the size"
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds per page and round")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved runs per page; the median is kept"
    )
    parser.add_argument(
        "--mixed-duration",
        type=int,
        default=30,
        help="seconds of writing per reads-while-writing row and round (about 60 approvals, "
        "30 polls, 3 publishes), measured in windows (bench/mixed.py); 10 s rows' rounds "
        "spread 0.84-1.01 on a machine whose speed swings, 30 s rows' 0.91-0.99 "
        "(docs/benchmarks.md, the eleventh session's runs)",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--scenarios", default="pg,sqlite", help="pg and/or sqlite")
    parser.add_argument(
        "--no-mixed",
        dest="mixed",
        action="store_false",
        help="skip the mixed-load rows (reads while writing, and through Varnish)",
    )
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    sizes = [int(s) for s in args.sizes.split(",") if s] or [args.articles]
    sqlite_sizes = [int(s) for s in args.sqlite_sizes.split(",") if s] or sizes
    info = machine()
    # Stopped with SIGTERM, unwind as on Ctrl-C: the kernel's autogroup is put back.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with without_autogroup() as info["autogroup"]:
        measure_all(args, sizes, sqlite_sizes, info)
    print(f"Wrote {args.output}")


def measure_all(args, sizes: list[int], sqlite_sizes: list[int], info: dict) -> None:
    results, extra = [], {}
    for kind in [s.strip() for s in args.scenarios.split(",") if s.strip()]:
        title = (
            "PostgreSQL + Redis"
            if kind == "pg"
            else "SQLite + the shared disk cache (the embedded default)"
        )
        for size in sizes if kind == "pg" else sqlite_sizes:
            with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as tmp:
                env = scenario_env(kind, Path(tmp), size)
                print(f"== {title}, {size:,} articles: preparing", flush=True)
                facts = prepare(env, args, size)
                server = Gunicorn(env)
                mixed: dict = {}
                try:
                    rows = measure(server, facts, args)
                    if kind == "pg" and args.mixed:
                        mixed = measure_mixed(server, env, facts, args, Path(tmp))
                    elif args.mixed:  # the embedded default has no Varnish in front
                        print("  -- mixed load on the app", flush=True)
                        mixed = {
                            "mixed": mixed_rows(server.url, env, facts, args, wrk, where="app"),
                            "mixed_rounds": args.rounds,
                            "mixed_duration": args.mixed_duration,
                        }
                finally:
                    server.stop()
                # What the server itself complained of while under load (Redis timeouts,
                # worker restarts...): printed, and counted in the report.
                complaints = [
                    line
                    for line in server.output().splitlines()
                    if any(level in line for level in ("WARNING", "ERROR", "CRITICAL"))
                ]
                for line in complaints[:10]:
                    print(f"  server: {line}", flush=True)
                results.append(
                    {
                        "title": title,
                        "facts": facts,
                        "rows": rows,
                        "complaints": complaints,
                        **mixed,
                    }
                )
                if size == (sizes if kind == "pg" else sqlite_sizes)[-1]:
                    shared = "PostgreSQL and Redis" if kind == "pg" else "SQLite and the disk cache"
                    print(f"== two instances sharing {shared}", flush=True)
                    extra[f"two_instances_{kind}"] = two_instances(env, facts, Gunicorn)
                    print(f"  {extra[f'two_instances_{kind}']}", flush=True)
                write_report(Path(args.output), info, results, args, extra)


if __name__ == "__main__":
    main()
