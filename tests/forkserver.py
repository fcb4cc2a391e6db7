"""Start the tests' Python processes (task workers, gunicorn, `manage.py` commands,
`python -c` scripts) from a fork server: `forkserver.Popen` and `forkserver.run` are
`subprocess.Popen` and `subprocess.run` for `[sys.executable, ...]` commands.

A fresh interpreter spent about 0.55 CPU-seconds to reach `django.setup()` here, half of
it importing the same third-party modules (Django's core, numpy, pydantic, lxml...) and
collecting their objects again and again. The server, one per pytest process, imports
them once (never `django.setup()`: each child reads its settings from its own
environment), freezes them out of the garbage collector's way, and forks a child per
command; the child takes the command's stdin, stdout, stderr, working directory and
environment and runs it as `python` would (0.24 CPU-seconds to the same point).

The caller gets a real `subprocess.Popen` of that child: the server forks twice and the
middle process exits at once, so the child is re-parented to the caller (a "child
subreaper" for that moment) and the caller waits for it, signals it and reads its pipes
as if it had started it itself. A command this cannot run as `python` would (another
executable, `preexec_fn`, a new session, other `PYTHON*`/locale variables) starts the
ordinary way.
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import os
import pickle
import runpy
import socket
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

# Imported by the server before any fork: modules that read neither Django's settings
# (the server has none) nor the environment when imported, but for STARTUP_VARIABLES;
# tests/test_forkserver.py checks it. Not prometheus_client (PROMETHEUS_MULTIPROC_DIR),
# gunicorn (WEB_CONCURRENCY, PORT, FORWARDED_ALLOW_IPS: its settings' defaults) nor
# django.test (wsgiref keeps a copy of the whole environment for the WSGI servers).
PRELOAD = (
    "django.db.models",
    "django.forms",
    "django.http",
    "django.template.defaulttags",
    "django.urls",
    "feedparser",
    "lxml.html",
    "numpy",
    "PIL.Image",
    "psycopg",
    "pydantic",
    "pysbd",
    "redis",
)

# What Python reads from the environment as it starts, and PRELOAD as it is imported
# (numpy, OpenBLAS, Pillow, xml.sax, psycopg, PyJWT through redis): a command with other
# values than the server's gets a server of its own.
STARTUP_VARIABLES = (
    *("PYTHON", "_PYTHON", "HOME", "LANG", "LC_", "TZ"),
    *("PY_", "NPY_", "NUMPY_", "OPENBLAS_", "PILLOW_", "PSYCOPG_", "SPHINX_BUILD"),
)

PR_SET_CHILD_SUBREAPER = 36
ROOT = Path(__file__).resolve().parents[1]


def serve(sock: socket.socket) -> None:
    """The server: import PRELOAD, then fork once per request (the pickled command, cwd
    and environment, with its stdin, stdout and stderr) and answer the child's pid once
    its middle process has exited."""
    for name in PRELOAD:
        __import__(name)
    gc.freeze()
    while True:
        message, fds, _, _ = socket.recv_fds(sock, 1 << 20, 3)
        if not message:
            return
        pid_read, pid_write = os.pipe()
        middle = os.fork()
        if middle == 0:
            middle_pid = os.getpid()
            child = os.fork()
            if child == 0:
                while os.getppid() == middle_pid:  # until re-parented to the caller
                    time.sleep(0.001)
                sock.close()
                os.close(pid_read)
                os.close(pid_write)
                _become(*pickle.loads(message), fds)
                sys.exit(0)
            os.write(pid_write, str(child).encode())
            os._exit(0)
        os.close(pid_write)
        os.waitpid(middle, 0)
        for fd in fds:
            os.close(fd)
        sock.send(os.read(pid_read, 32) or b"0")
        os.close(pid_read)


def _become(args: list[str], cwd: str, env: dict[str, str], fds: list[int]) -> None:
    """In the child: run `python ARGS` (`-c CODE`, `-m MODULE` or a script) in `cwd` with
    `env`; its exceptions and exit status end the process as they would end python."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in set(fds) - {0, 1, 2}:
        os.close(fd)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    option, rest = args[1], args[2:]
    if option == "-c":
        sys.argv = ["-c", *rest[1:]]
        sys.path[0] = ""
        main = sys.modules["__main__"] = types.ModuleType("__main__")
        exec(compile(rest[0], "<string>", "exec"), main.__dict__)
    elif option == "-m":
        sys.argv = [*rest]
        sys.path[0] = cwd
        runpy.run_module(rest[0], run_name="__main__", alter_sys=True)
    else:
        sys.argv = [option, *rest]
        sys.path[0] = os.path.dirname(os.path.abspath(option))
        runpy.run_path(option, run_name="__main__")


def _startup(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith(STARTUP_VARIABLES)))


class _Server:
    def __init__(self, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        code = "import socket, sys, tests.forkserver as f; f.serve(socket.socket(fileno=int(sys.argv[1])))"  # noqa: E501
        env = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.sock = ours
        self.lock = threading.Lock()
        atexit.register(self.close)

    def fork(self, args: list[str], cwd: str, env: dict[str, str], fds: list[int]) -> int:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
        with self.lock:
            prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
            try:
                socket.send_fds(self.sock, [pickle.dumps((args, cwd, env))], fds)
                pid = int(self.sock.recv(32) or 0)
            finally:
                prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
        if not pid:
            raise OSError(f"the fork server (pid {self.proc.pid}) did not start {args}")
        return pid

    def close(self) -> None:
        self.sock.close()
        self.proc.wait(timeout=10)


_servers: dict[tuple[int, tuple], _Server] = {}


def _server(env: dict[str, str]) -> _Server:
    key = (os.getpid(), _startup(env))
    if key not in _servers or _servers[key].proc.poll() is not None:
        _servers[key] = _Server(env)
    return _servers[key]


class Popen(subprocess.Popen):
    """`subprocess.Popen`; `[sys.executable, ...]` commands start through the fork server."""

    def _execute_child(  # noqa: PLR0913 (subprocess.Popen's own signature)
        self, args, executable, preexec_fn, close_fds, pass_fds, cwd, env, startupinfo,
        creationflags, shell, p2cread, p2cwrite, c2pread, c2pwrite, errread, errwrite,
        restore_signals, gid, gids, uid, umask, start_new_session, process_group,
    ):  # fmt: skip
        ordinary = (
            not isinstance(args, list | tuple)
            or len(args) < 2
            or args[0] != sys.executable
            or (args[1] in ("-c", "-m") and len(args) < 3)
            or (str(args[1]).startswith("-") and args[1] not in ("-c", "-m"))
            or (executable, preexec_fn, gid, gids, uid) != (None, None, None, None, None)
            or shell
            or pass_fds
            or start_new_session
            or (umask, process_group) != (-1, -1)
        )
        if ordinary:
            return super()._execute_child(
                args, executable, preexec_fn, close_fds, pass_fds, cwd, env, startupinfo,
                creationflags, shell, p2cread, p2cwrite, c2pread, c2pwrite, errread, errwrite,
                restore_signals, gid, gids, uid, umask, start_new_session, process_group,
            )  # fmt: skip
        env = dict(os.environ if env is None else env)
        # -1: the caller's own (what the child inherits from subprocess.Popen).
        stdio = [fd if fd != -1 else std for std, fd in enumerate((p2cread, c2pwrite, errwrite))]
        command = [os.fspath(a) for a in args]
        self.pid = _server(env).fork(command, os.fspath(cwd or os.getcwd()), env, stdio)
        self._child_created = True
        # What subprocess.Popen does after its own fork: the child's ends of the pipes close.
        for fd, other in ((p2cread, p2cwrite), (c2pwrite, c2pread), (errwrite, errread)):
            if fd != -1 and other != -1 and fd != getattr(self, "_devnull", None):
                os.close(fd)
        if hasattr(self, "_devnull"):
            os.close(self._devnull)
        self._closed_child_pipe_fds = True


def run(args, *, input=None, capture_output=False, timeout=None, check=False, **kwargs):
    """`subprocess.run` through `Popen` above."""
    if capture_output:
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    with Popen(args, **kwargs) as proc:
        try:
            stdout, stderr = proc.communicate(input, timeout=timeout)
        except BaseException:
            proc.kill()
            raise
    done = subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)
    if check:
        done.check_returncode()
    return done
