"""collectstatic once for the whole test run, shared by every xdist worker.

The production-like servers the tests start (gunicorn with DEBUG off, Varnish in front)
serve hashed, compressed static files, which `collectstatic` makes: about a minute of
brotli on a busy 2-core machine, three times per run before this. The result depends only
on the files under static/ and the installed packages' static files, so it is kept under
var/test-static/<hash of those>/ and made by whichever worker asks first (the others wait
on a file lock); a later run with the same files reuses it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "static").rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    digest.update((ROOT / "requirements" / "test.txt").read_bytes())
    return digest.hexdigest()[:16]


def collected_static() -> Path:
    """A STATIC_ROOT holding what `collectstatic` makes, for DEBUG=0 servers."""
    target = ROOT / "var" / "test-static" / _fingerprint()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
            env.update(DEBUG="0", SECRET_KEY="collectstatic-only", STATIC_ROOT=str(target))
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            (target / ".complete").touch()
    return target
