"""The pieces bench/soak.py starts, stops and breaks: its own redis-server, gunicorn with
gunicorn.conf.py, and a throw-away PostgreSQL cluster (ports, waiting and stopping through
tests/processes.py, as the tests do)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

# The checkout's root, for tests/ (started as `python bench/x.py`, only bench/ is on the path).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.processes import free_port, stop, wait_for_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
WORKERS = 4


class Redis:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        cmd += ["--save", "", "--appendonly", "no", "--dir", str(self.tmp)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.proc, name="redis-server")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


class Gunicorn:
    def __init__(self, env: dict, log) -> None:
        self.port = free_port()
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(WORKERS)}
        self.proc = subprocess.Popen(
            [PY, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, self.proc, name="gunicorn", timeout=120)

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self) -> None:
        stop(self.proc, timeout=30)


def psql(url: str, sql: str, db: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", f"{url}/{db}", "-qAtc", sql], check=True, capture_output=True, text=True
    )
    return out.stdout


class PrivatePostgres:
    """A throw-away cluster (initdb in a temporary directory, a free port): the only
    PostgreSQL this scenario ever restarts."""

    def __init__(self, tmp: Path) -> None:
        self.bin = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)
        self.dir = tmp / "pg"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"

    @staticmethod
    def available() -> bool:
        return any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))

    def _as_postgres(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(prefix + list(cmd), check=True, capture_output=True)

    def init(self) -> None:
        self.dir.mkdir()
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to postgres
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(self.dir.parent, 0o755)
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres"
        )
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", mode, "-w", "stop"
        )
