"""Tasks that exist only for the worker tests (imported by the worker by dotted path)."""

from __future__ import annotations

import os
import time

from django_tasks import TaskContext, task


@task()
def add(a: int, b: int) -> int:
    return a + b


@task(takes_context=True)
def flaky(context: TaskContext, *, fail_times: int) -> int:
    """Raise on the first `fail_times` attempts, then succeed."""
    if context.attempt <= fail_times:
        raise RuntimeError(f"attempt {context.attempt} failed on purpose")
    return context.attempt


@task()
def record(n: int, path: str) -> None:
    """Append one line per run to a shared file."""
    _append(path, f"{n} {os.getpid()}")


@task(takes_context=True)
def slow_first(context: TaskContext, path: str) -> int:
    """Sleep a minute on the first attempt (the test kills its worker); finish later ones."""
    _append(path, f"start {context.attempt}")
    if context.attempt == 1:
        time.sleep(60)
    _append(path, f"done {context.attempt}")
    return context.attempt


def _append(path: str, line: str) -> None:
    """O_APPEND: lines written by several processes never interleave."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{line}\n".encode())
    finally:
        os.close(fd)
