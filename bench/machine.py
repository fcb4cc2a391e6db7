"""What `make bench` says about the machine it ran on (bench/run.py, docs/benchmarks.md)."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
AUTOGROUP = Path("/proc/sys/kernel/sched_autogroup_enabled")


def machine() -> dict:
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(next(x for x in f if x.startswith("MemTotal")).split()[1])
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[
        0
    ]
    gunicorn = subprocess.run(
        [PY, "-m", "gunicorn", "--version"], capture_output=True, text=True
    ).stdout.strip()
    conf: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), conf)
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "wrk": wrk_version.strip(),
        "gunicorn": gunicorn,
        "workers": conf["workers"],
        "threads": conf["threads"],
        # gunicorn's own rule: sync with more than one thread becomes gthread.
        "worker_class": "gthread"
        if conf["worker_class"] == "sync" and conf["threads"] > 1
        else conf["worker_class"],
    }


def cpu_ticks() -> list[int]:
    """The machine's CPU time so far by kind (/proc/stat's first line, in ticks)."""
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:]]


def steal_share(before: list[int], after: list[int]) -> float:
    """The share of the machine's CPU time between two cpu_ticks() that the hypervisor
    gave to other guests ("steal"): a row that lost it measured a slower machine."""
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return spent[7] / (sum(spent) or 1)


@contextlib.contextmanager
def without_autogroup():
    """Turn the kernel's autogroup off while the benchmark runs (root only), then back.

    Autogroup schedules each session as one group: here PostgreSQL, Redis and the
    benchmark (wrk, Varnish, gunicorn, the writers) were three. On this machine's kernel
    (Linux 6.18), while Varnish served 25,000 req/s, a process in another group than
    Varnish's waited up to 9.9 s to run again after a 10 ms sleep, and PostgreSQL and
    Redis, each their own group, stalled the same way: a Redis PING took 7 s, a
    writer's UPDATE 7.5 s, the task worker's reconnect timed out. Measured with autogroup
    off, under the same load: 13 ms at most. Yields what the report should say."""
    try:
        before = AUTOGROUP.read_text().strip()
    except OSError:
        yield "not in this kernel"
        return
    if before == "0" or os.geteuid() != 0:
        yield "off" if before == "0" else "on (the benchmark is not root)"
        return
    AUTOGROUP.write_text("0")
    try:
        yield "off while the benchmark ran (sysctl kernel.sched_autogroup_enabled=0)"
    finally:
        AUTOGROUP.write_text(before)
