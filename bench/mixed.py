"""Mixed load for `make bench`: anonymous reads while the newsroom writes (issue 12).

wrk cycles over 200 article pages and the home page (bench/mixed.lua) while a writer
process (`bench/prepare.py write KIND`) does one kind of write through the real write
paths: nothing, approving a comment every 0.5 s through the moderation service, polling
an unchanged feed every second through the importer, or publishing an article every 10 s.
Each writing row is a ratio of the reads alone: the writer is paused and resumed so that
windows of reads while it writes alternate with windows of reads alone (`row()`).
The same rows run through Varnish (deploy/varnish/default.vcl), the writer's purges
(PURGE_URLS) sent by a task worker running alongside, as in production.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

# Seconds of each measured window, and of the wait after the writer resumes or pauses.
WINDOW, SETTLE = 2, 1.5
# wrk's kinds of failure (bench/load.py `wrk`); "errors" is their sum.
ERROR_KINDS = ("connect", "read", "write", "status", "timeout", "non2xx")
WRITERS = [
    ("reads alone", ""),
    ("reads while comments are approved at 2/s", "approve"),
    ("reads while an unchanged feed is polled every second", "poll"),
    ("reads while an article is published every 10 s", "publish"),
]


class TaskWorker:
    """The task worker that sends the purges, run as production runs it: restarted when
    it exits (systemd's Restart=always, docs/deployment.md), its output kept.

    It does exit: under the Varnish rows' load the machine stalls other processes for
    seconds, and the reconnect the worker makes every CONN_MAX_AGE seconds can then exceed
    DB_CONNECT_TIMEOUT; django-tasks-db's worker lets that OperationalError end it.
    Unsupervised, it stopped in one run at the first reconnect and no later purge was
    sent. The report says how often it was restarted and why."""

    def __init__(self, env: dict, log_path: Path):
        self.env, self.log_path = env, log_path
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        self.restarts, self.stopping = 0, False
        self.proc = self._start()
        self.watcher = threading.Thread(target=self._watch, daemon=True)
        self.watcher.start()

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen(
            [PY, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.1"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def _watch(self) -> None:
        while not self.stopping:
            if self.proc.poll() is not None and not self.stopping:
                self.restarts += 1
                self.proc = self._start()
            time.sleep(0.2)

    def stop(self) -> dict:
        self.stopping = True
        self.watcher.join(timeout=5)
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.log.close()
        errors = [
            line.strip()
            for line in self.log_path.read_text(errors="replace").splitlines()
            if "Error:" in line or "Exception:" in line
        ]
        return {"restarts": self.restarts, "last_error": errors[-1] if errors else ""}


def _beat(cpu: int, longest) -> None:
    """Sleep 10 ms at a time on one CPU, at normal priority, and keep the longest gap."""
    os.sched_setaffinity(0, {cpu})
    last = time.monotonic()
    while True:
        time.sleep(0.01)
        now = time.monotonic()
        if now - last > longest.value:
            longest.value = now - last
        last = now


class Heartbeats:
    """One process per CPU, each pinned there at normal priority, noting the longest
    time it waited to run again after a 10 ms sleep. A row's `stall` is the longest of
    them: how long an ordinary process on this machine could be kept off the CPU while
    the row ran (a request slower than that had another cause)."""

    def __init__(self):
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.longest = [ctx.Value("d", 0.0, lock=False) for _ in range(os.cpu_count() or 1)]
        self.procs = [
            ctx.Process(target=_beat, args=(cpu, value), daemon=True)
            for cpu, value in enumerate(self.longest)
        ]
        for proc in self.procs:
            proc.start()

    def reset(self) -> None:
        for value in self.longest:
            value.value = 0.0

    def stall(self) -> float:
        return max(value.value for value in self.longest)

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()


def _ahead_of_the_readers() -> None:
    # The writer runs a little ahead of the readers (root only), so that on the app it
    # keeps its pace; what its writes cost the readers is still paid on the same two
    # cores. Through Varnish that was not enough: the PostgreSQL it waits on was starved
    # too (CACHE_TIER_NICE).
    if os.geteuid() == 0:
        os.nice(-5)


class Writer:
    """`bench/prepare.py write KIND` in its own process, until stop()."""

    def __init__(self, kind: str, env: dict, *, paused: bool = False, root: Path = ROOT):
        self.proc = subprocess.Popen(
            [PY, "bench/prepare.py", "write", kind, *(["--paused"] if paused else [])],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=_ahead_of_the_readers,
        )
        # Django set up, the feed's first import done: then the row may start.
        for line in self.proc.stdout:
            if line.startswith("READY"):
                return
        raise RuntimeError(f"writer {kind} did not start")

    def cpu_seconds(self) -> float:
        """CPU the writer process has used so far (Linux /proc), so a row can say what
        share of the machine the writing itself took."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def pause(self) -> None:
        """No new write after the one under way (SIGUSR1, bench/writers.py)."""
        self.proc.send_signal(signal.SIGUSR1)

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGUSR2)

    def stop(self) -> str:
        self.proc.terminate()
        out, _ = self.proc.communicate(timeout=30)
        done = [x for x in out.splitlines() if x.startswith("WROTE ")]
        return done[-1].removeprefix("WROTE ") if done else "0"


def mixed_rows(
    url: str, env: dict, facts: dict, args, wrk, *, where: str, nice: int = 0
) -> list[dict]:
    """The WRITERS rows against `url`, `args.rounds` interleaved rounds, median kept;
    wrk at `nice` (CACHE_TIER_NICE through Varnish)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(facts["mixed_paths"]) + "\n")
        paths_file = f.name
    lua_env = {
        "BENCH_PATHS": paths_file,
        "BENCH_REPORT_LUA": str(ROOT / "bench" / "report.lua"),
    }
    os.environ.update(lua_env)  # wrk inherits them
    # The feed's first import (new drafts) is set-up: every later poll finds it unchanged.
    Writer("poll-setup", env).stop()
    time.sleep(1)  # its purges sent, every server seeing its versions
    warm(url, facts["mixed_paths"])

    def window() -> dict:
        beats.reset()
        result = wrk(
            url + "/",
            duration=WINDOW,
            connections=args.connections,
            threads=args.threads,
            script=ROOT / "bench" / "mixed.lua",
            nice=nice,
        )
        result["stall"] = beats.stall()
        return result

    def row(kind: str) -> tuple[dict, dict]:
        """One round of a writing row: `args.mixed_duration` s of writing, measured in
        WINDOW s windows, each followed by one of reads alone: (writing, alone)."""
        writer = Writer(kind, env, paused=True)
        writing, alone, cpu = [], [], 0.0
        try:
            for _ in range(max(1, round(args.mixed_duration / (SETTLE + WINDOW)))):
                before = writer.cpu_seconds()
                writer.resume()
                time.sleep(SETTLE)
                writing.append(window())
                writer.pause()
                cpu += writer.cpu_seconds() - before
                time.sleep(SETTLE)
                alone.append(window())
        finally:
            writes = writer.stop()
        on = _merge(writing)
        on["writes"] = writes
        # The writer's own share of the machine's CPU while it was running.
        on["writer_cpu"] = cpu / (len(writing) * (SETTLE + WINDOW) * (os.cpu_count() or 1))
        off = _merge(alone)
        off["writes"], off["writer_cpu"] = "0", 0.0
        return on, off

    # The machine's speed changes from one second to the next (bench/run.py), more than a
    # writer costs: rows of 10 s a minute apart measured that drift. So the writer is
    # paused and resumed (bench/writers.py) and each round of a row is WINDOW s windows
    # of reads while it writes, each followed by a window of reads alone: its ratio is
    # over windows seconds apart. Each window starts SETTLE s after the writer resumed
    # or paused, so that what its writes cost (pages rendered again, Varnish's purges and
    # refetches, about 1 s later) falls in the writing windows, not the next one alone.
    runs: dict[str, list[dict]] = {label: [] for label, _ in WRITERS}
    ratios: dict[str, list[float]] = {label: [] for label, _ in WRITERS}
    beats = Heartbeats()
    try:
        wrk(
            url + "/",
            duration=2,
            connections=args.connections,
            threads=args.threads,
            script=ROOT / "bench" / "mixed.lua",
            nice=nice,
        )
        for _ in range(args.rounds):
            for label, kind in WRITERS[1:]:
                on, off = row(kind)
                runs[label].append(on)
                runs[WRITERS[0][0]].append(off)
                ratios[label].append(on["rps"] / (off["rps"] or 1))
    finally:
        beats.stop()
        os.unlink(paths_file)
    rows = []
    for label, results in runs.items():
        ranked = sorted(results, key=lambda r: r["rps"])
        row = dict(ranked[len(ranked) // 2])
        row["label"] = f"{label} ({where})"
        row["rps_range"] = (ranked[0]["rps"], ranked[-1]["rps"])
        for kind in ("errors", *ERROR_KINDS):
            row[kind] = sum(r[kind] for r in results)
        found = sorted(ratios[label])
        row["ratio"] = found[len(found) // 2] if found else 1.0
        row["ratios"] = found
        row["stall"] = max(r["stall"] for r in results)
        row["steal"] = max(r["steal"] for r in results)
        rows.append(row)
    for row in rows:
        print(
            f"  {row['label']:70} {row['rps']:9.1f} rps  x{row['ratio']:.2f}  "
            f"p99 {row['p99']:7.2f}  errors {row['errors']}  writes {row['writes']}  "
            f"writer CPU {row.get('writer_cpu', 0):.1%}  longest stall {row['stall']:.2f} s  "
            f"steal {row['steal']:.1%}",
            flush=True,
        )
    return rows


def _merge(windows: list[dict]) -> dict:
    """wrk's results of several windows as one: req/s over their time, the median
    window's p50, the worst p99, every error and the longest stall and steal."""
    merged = dict(sorted(windows, key=lambda r: r["p50"])[len(windows) // 2])
    merged["requests"] = sum(r["requests"] for r in windows)
    merged["seconds"] = sum(r["seconds"] for r in windows)
    merged["rps"] = merged["requests"] / (merged["seconds"] or 1)
    for key in ("p99", "stall", "steal"):
        merged[key] = max(r[key] for r in windows)
    for kind in ("errors", *ERROR_KINDS):
        merged[kind] = sum(r[kind] for r in windows)
    merged["load"] = round(os.getloadavg()[0], 1)
    return merged


def warm(url: str, paths: list[str]) -> None:
    """Every page once, so the rows measure a warm cache, as a site's pages are."""
    import urllib.request

    for path in paths:
        with urllib.request.urlopen(url + path, timeout=30) as response:
            response.read()


# Through Varnish, Varnish and wrk run at this niceness. In production the cache tier
# (Varnish on its own machine, or a CDN) and the readers' machines take no CPU from the
# app and its database; here all share two cores, and at 25,000-45,000 req/s they take
# both. Behind them, the writer, PostgreSQL, Redis, gunicorn (Varnish's refetches) and
# the purging task worker get the CPU they ask for, and the reads get what is left: what
# the writes cost is paid in full by the readers. (The writers' falling behind through
# Varnish, 1-6 of 20 approvals per row in earlier runs, was the kernel's autogroup:
# machine.without_autogroup.)
CACHE_TIER_NICE = 10


def start_varnish(backend_url: str, tmp: Path):
    """Varnish with the shipped VCL in front of `backend_url` (the tests' runner), at
    CACHE_TIER_NICE."""
    sys.path.insert(0, str(ROOT))
    from tests.serving.varnish import Varnish

    port = int(backend_url.rsplit(":", 1)[1])
    return Varnish(tmp, port, nice=CACHE_TIER_NICE)


def visible_through_varnish(varnish_url: str, env: dict, facts: dict) -> float | None:
    """Seconds from a publish (in another process) until home through Varnish lists it."""
    import urllib.request

    def home() -> str:
        with urllib.request.urlopen(varnish_url + "/", timeout=10) as response:
            return response.read().decode()

    home()
    home()
    out = subprocess.run(
        [PY, "bench/prepare.py", "write", "publish-one"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    title = next(x for x in out.splitlines() if x.startswith("TITLE ")).removeprefix("TITLE ")
    t0 = time.monotonic()
    while time.monotonic() - t0 < 10:
        if title in home():
            return round(time.monotonic() - t0, 3)
        time.sleep(0.02)
    return None
