"""The fork server (tests/forkserver.py) starts a command as `python` would: a child of
the caller, with its own environment, working directory, pipes and exit status, and
nothing imported before the fork that depends on either."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests import forkserver


def test_the_child_is_the_callers_with_its_own_environment_cwd_and_pipes(tmp_path):
    code = "import os, sys; print(os.getppid(), os.getcwd(), os.environ['ONLY_HERE'], sys.argv)"
    done = forkserver.run(
        [sys.executable, "-c", code, "an", "argument"],
        cwd=tmp_path,
        env={**os.environ, "ONLY_HERE": "yes"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split(" ", 3) == [
        str(os.getpid()),
        str(tmp_path),
        "yes",
        "['-c', 'an', 'argument']\n",
    ]
    assert "ONLY_HERE" not in os.environ


def test_input_exit_status_and_tracebacks_are_pythons():
    echo = forkserver.run(
        [sys.executable, "-c", "import sys; print(sys.stdin.read().upper())"],
        input="from stdin",
        capture_output=True,
        text=True,
    )
    assert (echo.returncode, echo.stdout) == (0, "FROM STDIN\n")
    assert forkserver.run([sys.executable, "-c", "raise SystemExit(3)"]).returncode == 3
    failed = forkserver.run([sys.executable, "-c", "1 / 0"], capture_output=True, text=True)
    assert failed.returncode == 1
    assert failed.stderr.rstrip().endswith("ZeroDivisionError: division by zero")


def test_the_caller_waits_for_and_signals_the_child_itself():
    proc = forkserver.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    assert proc.poll() is None
    proc.terminate()
    assert proc.wait(timeout=10) == -15
    # Its pid was the caller's child: nothing is left for anyone else to reap.
    with pytest.raises(ChildProcessError):
        os.waitpid(proc.pid, os.WNOHANG)


def test_numpy_works_in_a_child_forked_after_it_was_imported():
    code = "import numpy; a = numpy.ones((300, 300)); print((a @ a)[0, 0])"
    done = forkserver.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout == "300.0\n"


def test_other_interpreters_and_startup_variables_start_the_ordinary_way():
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    code = "import sys; print(sys.flags.hash_randomization)"
    done = forkserver.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout == "0\n"  # PYTHONHASHSEED took effect: a server of its own
    assert forkserver.run(["true"]).returncode == 0


def test_the_preload_reads_no_settings_and_only_startup_variables():
    """Imported in a fresh interpreter with every read of os.environ recorded: a module
    that read another variable on import would keep the server's value in every child."""
    code = """
import os, sys
read = set()
class Recording(type(os.environ)):
    def __getitem__(self, key):
        read.add(key)
        return super().__getitem__(key)
    def __contains__(self, key):
        read.add(key)
        return super().__contains__(key)
    def __iter__(self):
        read.add("(all of them)")
        return super().__iter__()
e = os.environ
os.environ = Recording(e._data, e.encodekey, e.decodekey, e.encodevalue, e.decodevalue)
from tests import forkserver
for name in forkserver.PRELOAD:
    __import__(name)
print(sorted(k for k in read if not k.startswith(forkserver.STARTUP_VARIABLES)))
print(sorted(m for m in sys.modules if m.split(".")[0] in ("newsroom", "prometheus_client")))
"""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=forkserver.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == "[]\n[]\n"
