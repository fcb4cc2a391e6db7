"""Subprocesses for tests: the one way to pick a free port, wait for a server to listen,
and stop a process (terminate, wait, then kill). Varnish, moto's S3 server, gunicorn and
the end-to-end stack (tests/e2e/) all start and stop through here."""

from __future__ import annotations

import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, *, name: str, timeout: float = 30) -> None:
    """Return once something accepts connections on 127.0.0.1:`port`; raise (after
    stopping `proc`) if `proc` exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with status {proc.returncode}")
        if time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"{name} did not listen on port {port} in {timeout:.0f} s")
        time.sleep(0.1)


def stop(proc: subprocess.Popen | None, timeout: float = 10) -> None:
    """SIGTERM, up to `timeout` seconds for a clean exit, then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)
