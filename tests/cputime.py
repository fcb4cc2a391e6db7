"""`pytest -p tests.cputime`: CPU seconds per test file, servers and browsers included.

Wall time says little on a shared machine; CPU time (user + system) of the pytest process
and every process under it (gunicorn, Varnish, workers, chromium, reaped or still
running) says what a file costs. Each test's set-up, call and tear-down is counted to its
file; the totals are printed at the end and, with CPUTIME_OUT=path, written there as tab
separated lines (one file per xdist worker: path.gw0...). Linux only (/proc).
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest

TICK = os.sysconf("SC_CLK_TCK")
_by_file: dict[str, float] = defaultdict(float)


def _stat(pid: int) -> tuple[int, list[str]] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields  # parent pid, fields from state on


def tree_cpu(root: int | None = None) -> float:
    """CPU seconds of `root` (this process) and all its descendants, live or reaped."""
    root = root or os.getpid()
    stats = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (found := _stat(int(entry.name))):
            stats[int(entry.name)] = found
    children = defaultdict(list)
    for pid, (ppid, _) in stats.items():
        children[ppid].append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            # utime, stime, cutime, cstime: fields 14-17 of /proc/pid/stat.
            total += sum(int(v) for v in stats[pid][1][11:15])
            todo += children[pid]
    return total / TICK


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = tree_cpu()
    yield
    _by_file[item.nodeid.split("::")[0]] += tree_cpu() - start


def pytest_sessionfinish(session):
    out = os.environ.get("CPUTIME_OUT")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if out:
        path = f"{out}.{worker}" if worker else out
        with open(path, "w") as f:
            own = os.times()
            f.write(f"(whole process)\t{tree_cpu():.1f}\n")
            f.write(f"(pytest process alone)\t{own.user + own.system:.1f}\n")
            for name, seconds in sorted(_by_file.items(), key=lambda kv: -kv[1]):
                f.write(f"{name}\t{seconds:.1f}\n")


def pytest_terminal_summary(terminalreporter):
    if os.environ.get("PYTEST_XDIST_WORKER") or not _by_file:
        return
    terminalreporter.section("CPU seconds per file (tests/cputime.py)")
    for name, seconds in sorted(_by_file.items(), key=lambda kv: -kv[1])[:20]:
        terminalreporter.write_line(f"{seconds:7.1f}  {name}")
