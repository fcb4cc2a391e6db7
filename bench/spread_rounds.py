"""The spread rows' rounds one by one from a freshly warmed cache (issue 34): what each
gunicorn worker costs per request while it meets the 601 pages for the first time.

bench/run.py warms every page once (one worker renders each), then runs a 2 s warm-up
and three 3 s rounds of the uniform spread, keeping the median. Each worker keeps its own
copies of pages, so the rounds climb as the workers meet the pages; this prints each
round's req/s beside the static file's, and the workers' CPU per request (from /proc,
which the machine's other load distorts less than req/s), optionally recording py-spy
over every worker during the first two uniform rounds.

    python bench/spread_rounds.py --scenario sqlite --rounds 3 [--spy /tmp/spy]

Not part of `make bench`; its findings are in docs/benchmarks.md ("The spread over 600
pages on the default").
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from load import LUA, SPREAD_LUA, wrk
from reads import ZIPF
from spread_probe import spread_server

TICK = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(proc.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(stat[11]) + int(stat[12])) / TICK  # utime + stime
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="sqlite")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=3)
    parser.add_argument("--spy", default="", help="py-spy raw output prefix (first 2 rounds)")
    args = parser.parse_args()
    with spread_server(args.scenario, args.articles, "spread-rounds-") as (server, facts, _):
        workers = children(server.proc.pid)

        def row(key: str, duration: int, zipf: bool = False) -> tuple[float, float]:
            """(req/s, the workers' CPU µs per request)"""
            os.environ.pop("BENCH_ZIPF", None)
            if zipf:
                os.environ["BENCH_ZIPF"] = str(ZIPF)
            before = cpu_seconds(workers)
            result = wrk(
                server.url + facts["urls"].get(key, "/"),
                duration=duration,
                connections=16,
                threads=2,
                script=SPREAD_LUA if key == "spread" else LUA,
            )
            used = cpu_seconds(workers) - before
            return result["rps"], used / max(result["requests"], 1) * 1e6

        rps, cpu = row("spread", 2)  # warm-up, as make bench's first round
        print(f"warm-up uniform {rps:6.0f} req/s, {cpu:5.0f} µs CPU/request", flush=True)
        for n in range(args.rounds):
            static = row("static", args.duration)
            spy = None
            if args.spy and n < 2:
                spy = subprocess.Popen(
                    ["py-spy", "record", "-p", str(server.proc.pid), "--subprocesses"]
                    + ["-d", str(args.duration), "-r", "50", "-f", "raw"]
                    + ["-o", f"{args.spy}-{n}.txt"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            uniform = row("spread", args.duration)
            if spy is not None:
                spy.wait()
            zipf = row("spread", args.duration, zipf=True)
            print(
                f"round {n}: static {static[0]:6.0f} req/s ({static[1]:4.0f} µs CPU/req)"
                f" | uniform {uniform[0]:6.0f} = {uniform[0] / static[0]:.2f} x"
                f" ({uniform[1]:4.0f} µs) | Zipf {zipf[0]:6.0f} = {zipf[0] / static[0]:.2f}"
                f" x ({zipf[1]:4.0f} µs) | load {os.getloadavg()[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    sys.exit(main())
