"""What `make bench` says about the machine it ran on (bench/run.py, docs/benchmarks.md)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


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
