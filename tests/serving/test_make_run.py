"""`make run` serves as production does: DEBUG off, the site's own error pages, static
files from WhiteNoise, and plain HTTP because it listens on loopback only."""

from __future__ import annotations

import subprocess
import urllib.error
import urllib.request

from tests.jobs.worker import ROOT, start_app_server, subprocess_env
from tests.made_once import collected_static
from tests.processes import stop


def make_run_commands(**variables: str) -> str:
    """What `make run` would execute (make -n), the install step taken as done."""
    args = [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_make_run_turns_debug_off_and_https_on_only_off_loopback():
    loopback = make_run_commands(PORT="8123")
    serve = next(line for line in loopback.splitlines() if "honcho -f Procfile start" in line)
    assert "DEBUG=0 HTTPS=0" in serve and "SECRET_KEY=" in serve
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8123}"' in serve and "DEMO_FEED=1" in serve
    everywhere = make_run_commands(HOST="0.0.0.0")
    assert "DEBUG=0 HTTPS=1" in everywhere
    dev_serve = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "dev"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert "DEBUG=1" in dev_serve and "Procfile.dev" in dev_serve


def test_served_like_make_run_a_wrong_address_gets_the_sites_404(transactional_db):
    env = subprocess_env(
        DEBUG="0",
        HTTPS="0",
        SECRET_KEY="x" * 50,
        STATIC_ROOT=str(collected_static()),
        DEMO_FEED="1",
    )
    proc, base = start_app_server(env)
    try:
        try:
            urllib.request.urlopen(base + "/no-such-page/", timeout=10)
            raise AssertionError("expected a 404")
        except urllib.error.HTTPError as err:
            page = err.read().decode()
            assert err.code == 404
        assert "Page not found" in page and "URLconf" not in page  # not Django's debug page
        with urllib.request.urlopen(base + "/static/css/site.css", timeout=10) as response:
            assert response.status == 200 and response.url == base + "/static/css/site.css"
        with urllib.request.urlopen(base + "/demo/feed.xml", timeout=10) as response:
            assert b"Newsroom Demo Wire" in response.read()
    finally:
        stop(proc, timeout=20)
