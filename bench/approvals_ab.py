"""What an approval costs, A/B: the approvals row's reads on several checkouts at once.

One database seeded as make bench seeds it (bench/run.py, PostgreSQL + Redis, the
database named by BENCH_PG_PREFIX, the Redis database by BENCH_REDIS_URL), one gunicorn
and one approving writer (bench/prepare.py `write approve`) per checkout, each with
a cache key prefix of its own. Rounds of windows, the checkouts' order turned each round:
per checkout, reads alone (its writer paused) then reads while it approves. Per window:
req/s, and the CPU its processes used, counted by process (its gunicorn's workers, its
writer, PostgreSQL's backends on this database, redis-server: the machine is shared, so
CPU is the figure to read). What an approval costs the machine in all is the approving
window's CPU less its requests at the alone window's CPU a request, over its approvals.

    python bench/approvals_ab.py --root main=. --root base=/tmp/base --windows 6

A checkout given is run as it is (its gunicorn.conf.py, its code): `git archive REV | tar
-x -C DIR` makes one. Not part of `make bench`: findings in docs/benchmarks.md
("Approvals on PostgreSQL + Redis, taken apart (tenth session)").
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import tempfile
import time
from pathlib import Path

import run as bench  # bench/run.py
from approvals_probe import page_metrics, record
from load import LUA, ROOT, Gunicorn, wrk
from machine import without_autogroup
from mixed import Writer, warm

GROUPS = ("workers", "writer", "postgres", "redis")


def _cpu(pid: str) -> tuple[int, float, str] | None:
    """(parent pid, CPU seconds so far, command line) of a process, None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), cmd


def cpu_by_group(server: int, writer: int, database: str) -> dict[tuple[str, int], float]:
    """CPU seconds so far of each process of ours: (group, pid) -> seconds."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        got = _cpu(pid)
        if got is None:
            continue
        parent, seconds, cmd = got
        if int(pid) == server or parent == server:
            group = "workers"
        elif int(pid) == writer:
            group = "writer"
        elif cmd.startswith("postgres: ") and f" {database} " in cmd:
            group = "postgres"
        elif "redis-server" in cmd:
            group = "redis"
        else:
            continue
        found[(group, int(pid))] = seconds
    return found


def used(before: dict, after: dict) -> dict[str, float]:
    out = dict.fromkeys(GROUPS, 0.0)
    for (group, pid), seconds in after.items():
        out[group] += seconds - before.get((group, pid), 0.0)
    return out


def approved(url: str) -> int:
    query = "SELECT count(*) FROM comments_comment WHERE status = 'approved'"
    return int(subprocess.check_output(["psql", url, "-Atc", query], text=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", action="append", required=True, help="NAME=checkout")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--windows", type=int, default=6, help="rounds")
    parser.add_argument("--seconds", type=int, default=3, help="per window")
    parser.add_argument("--comments", type=int, default=100_000, help="seeded, as make bench")
    parser.add_argument("--py-spy", default="", help="py-spy's path: record every window")
    parser.add_argument("--out", default="/tmp/approvals-ab", help="py-spy's folded stacks")
    args = parser.parse_args()
    args.sources, args.topics = 20, 50
    roots = {}
    for item in args.root:
        name, _, path = item.partition("=")
        roots[name] = Path(path).resolve()
    with tempfile.TemporaryDirectory(prefix="approvals-ab-") as tmp, without_autogroup():
        env = bench.scenario_env("pg", Path(tmp), args.articles)
        facts = bench.prepare(env, args, args.articles)
        paths = Path(tmp) / "paths.txt"
        paths.write_text("\n".join(facts["mixed_paths"]) + "\n")
        os.environ.update(BENCH_PATHS=str(paths), BENCH_REPORT_LUA=str(LUA))
        sides = {}
        try:
            for name, root in roots.items():
                side_env = {**env, "CACHE_KEY_PREFIX": f"ab-{name}-{secrets.token_hex(3)}"}
                server = Gunicorn(side_env, root=root)
                sides[name] = (server, Writer("approve", side_env, paused=True, root=root))
                warm(server.url, facts["mixed_paths"])
            probe(sides, env, args)
        finally:
            for server, writer in sides.values():
                writer.proc.kill()
                server.stop()


def probe(sides: dict, env: dict, args) -> None:
    database = env["DATABASE_URL"].rsplit("/", 1)[1]

    def reads(url: str, seconds: int) -> dict:
        return wrk(
            url + "/",
            duration=seconds,
            connections=16,
            threads=2,
            script=ROOT / "bench" / "mixed.lua",
        )

    for server, _ in sides.values():
        reads(server.url, 2)
    names = list(sides)
    seen: dict[str, list[dict]] = {name: [] for name in names}
    for n in range(args.windows):
        order = names[n % len(names) :] + names[: n % len(names)]
        for name in order:
            server, writer = sides[name]
            row = {}
            for state in ("alone", "approve"):
                (writer.resume if state == "approve" else writer.pause)()
                time.sleep(1)
                spy = None
                if args.py_spy:
                    spy = record(args, server.proc.pid, Path(args.out) / f"{name}-{n}-{state}.txt")
                cpu0 = cpu_by_group(server.proc.pid, writer.proc.pid, database)
                pages0, count0 = page_metrics(server.url), approved(env["DATABASE_URL"])
                result = reads(server.url, args.seconds)
                cpu1 = cpu_by_group(server.proc.pid, writer.proc.pid, database)
                pages1 = page_metrics(server.url)
                if spy:
                    spy.wait()
                row[state] = {
                    "rps": result["rps"],
                    "requests": result["requests"],
                    "cpu": used(cpu0, cpu1),
                    "approvals": approved(env["DATABASE_URL"]) - count0,
                    "pages": {k: pages1[k] - pages0.get(k, 0) for k in pages1},
                }
            writer.pause()
            report(name, n, row)
            seen[name].append(row)
    print()
    for name in names:
        summary(name, seen[name])


def _extra(row: dict) -> dict[str, float]:
    """CPU the approving window used beyond its requests at the alone window's cost a
    request, per approval (ms), by group; the writer's all counted."""
    alone, on = row["alone"], row["approve"]
    per = max(1, on["approvals"])
    out = {}
    for group in GROUPS:
        base = 0.0 if group == "writer" else alone["cpu"][group] / max(1, alone["requests"])
        out[group] = (on["cpu"][group] - base * on["requests"]) / per * 1e3
    out["total"] = sum(out.values())
    return out


def report(name: str, n: int, row: dict) -> None:
    alone, on = row["alone"], row["approve"]
    extra = _extra(row)
    print(
        f"round {n} {name:8} alone {alone['rps']:6.0f} req/s, approving {on['rps']:6.0f} "
        f"({on['rps'] / alone['rps']:.3f}); workers µs/req {_per(alone):4.0f} -> {_per(on):4.0f}; "
        f"{on['approvals']} approvals, ms CPU each: "
        + ", ".join(f"{k} {v:5.1f}" for k, v in extra.items()),
        flush=True,
    )


def _per(window: dict) -> float:
    return window["cpu"]["workers"] / max(1, window["requests"]) * 1e6


def _median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2]


def summary(name: str, rows: list[dict]) -> None:
    ratios = sorted(r["approve"]["rps"] / r["alone"]["rps"] for r in rows)
    extras = [_extra(r) for r in rows]
    print(
        f"{name:8} approving / alone: median {_median(ratios):.3f} "
        f"({', '.join(f'{x:.2f}' for x in ratios)}); workers µs a request "
        f"{_median([_per(r['alone']) for r in rows]):.0f} -> "
        f"{_median([_per(r['approve']) for r in rows]):.0f}; ms CPU an approval (medians): "
        + ", ".join(f"{k} {_median([e[k] for e in extras]):.1f}" for k in (*GROUPS, "total"))
    )


if __name__ == "__main__":
    main()
