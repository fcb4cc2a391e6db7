"""Subprocesses for tests: the one way to pick a free port, wait for a server to listen,
and stop a process (terminate, wait, then kill). Varnish, moto's S3 server, gunicorn and
the end-to-end stack (tests/e2e/) all start and stop through here; the small HTTP servers
a test runs in a thread of its own (feeds, a stand-in for Varnish) serve through
`serve_in_thread`. The Python processes a test starts (task workers, gunicorn,
`manage.py`, `python -c`) start through tests/forkserver.py's `Popen` and `run`."""

from __future__ import annotations

import socket
import socketserver
import subprocess
import threading
import time

# How often a server thread's loop looks whether shutdown() was called: socketserver's
# default of 0.5 s made every test that stopped one wait for it (the 0.5 s teardown of
# about 130 tests with a feed server or a purge recorder).
SHUTDOWN_POLL = 0.05


def serve_in_thread(server: socketserver.BaseServer) -> threading.Thread:
    """Serve `server` from a daemon thread until `server.shutdown()`, which then returns
    within SHUTDOWN_POLL seconds."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL}, daemon=True
    )
    thread.start()
    return thread


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
