"""The load tools `make bench` and its probes share: a gunicorn started as production
starts it (gunicorn.conf.py), and wrk driving it from a separate process (bench/report.lua
prints each run's figures as one JSON line)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from machine import cpu_ticks, steal_share
from mixed import ERROR_KINDS

# The checkout's root, for tests/ (started as `python bench/x.py`, only bench/ is on the path).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.processes import free_port, stop  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LUA = ROOT / "bench" / "report.lua"
SPREAD_LUA = ROOT / "bench" / "spread.lua"


class Gunicorn:
    """One gunicorn from gunicorn.conf.py on a free loopback port (of another checkout:
    `root`, for A/B probes)."""

    def __init__(self, env: dict, workers: int | None = None, root: Path = ROOT):
        self.port = free_port()
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_ACCESSLOG": "off"}
        if workers:
            env["WEB_CONCURRENCY"] = str(workers)
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [PY, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=root,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/robots.txt", timeout=2)
                return
            except urllib.error.HTTPError:
                return  # it answers
            except (urllib.error.URLError, ConnectionError):
                if self.proc.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start:\n" + self.output())

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        stop(self.proc, timeout=20)


def wrk(
    url: str,
    *,
    duration: int,
    connections: int,
    threads: int,
    cookie: str = "",
    script: Path = LUA,
    nice: int = 0,
) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "-s", str(script)]
    if nice:
        cmd = ["nice", "-n", str(nice), *cmd]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    ticks = cpu_ticks()
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    steal = steal_share(ticks, cpu_ticks())
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non2xx"] = int(non2xx.group(1)) if non2xx else 0
    result["steal"] = steal
    result["errors"] = sum(result[k] for k in ERROR_KINDS)
    return result
