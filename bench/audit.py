"""`make audit`: Lighthouse scores of the home and article pages, written to docs/quality.md.

Serves the demo site with production settings (DEBUG off, WhiteNoise, gunicorn) from a
throw-away folder, runs Lighthouse 12 (npm registry; Lighthouse 13 needs Node 22) headless
against Debian's chromium with its default mobile settings, and records the four scores.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

# The checkout's root, for tests/ (started as `python bench/x.py`, only bench/ is on the path).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.processes import free_port, stop  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGET = 95


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def lighthouse(url: str, out: Path) -> dict:
    cmd = [
        "npx",
        "--yes",
        "lighthouse@12",
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
        "--disable-background-networking --disable-component-update --no-first-run",
    ]
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")}
    subprocess.run(cmd, check=True, env=env, cwd=out.parent)
    report = json.loads(out.read_text())
    return {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="newsroom-audit-"))
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(work),
        "DATABASE_URL": f"sqlite:///{work / 'audit.sqlite3'}",
        "SERVE_MEDIA": "1",
    }
    env.pop("REDIS_URL", None)
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["seed_demo"],
    ):
        subprocess.run([PY, "manage.py", *args], check=True, env=env, cwd=ROOT)
    slug = (
        subprocess.run(
            [
                PY,
                "manage.py",
                "shell",
                "-c",
                "from articles.models import Article; print(Article.objects.published()[0].slug)",
            ],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    server = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "newsroom.wsgi",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    pages = {"Home": f"{base}/", "Article": f"{base}/articles/{slug}/"}
    results = {}
    try:
        wait_for(pages["Home"])
        for name, url in pages.items():
            urllib.request.urlopen(url, timeout=10).read()  # warm the caches
            results[name] = lighthouse(url, work / f"{name.lower()}.json")
            print(name, results[name])
    finally:
        stop(server)
    write_report(results)
    shutil.rmtree(work, ignore_errors=True)
    failing = [(p, c, s) for p, scores in results.items() for c, s in scores.items() if s < TARGET]
    for page, category, score in failing:
        print(f"below {TARGET}: {page} {category} = {score}")
    return 1 if failing else 0


def write_report(results: dict) -> None:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    chromium = subprocess.run(
        [os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), "--version"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    lines = [
        "# Quality: Lighthouse and accessibility",
        "",
        f"Written by `make audit` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Node {node}, {chromium}, Lighthouse 12 "
        "(default mobile settings: emulated phone, simulated slow 4G and 4x CPU slowdown).",
        "Site: the demo content served by gunicorn with `DEBUG=0`, WhiteNoise and SQLite.",
        "",
        "| Page | Performance | Accessibility | Best Practices | SEO |",
        "|---|---|---|---|---|",
    ]
    for page, s in results.items():
        lines.append(
            f"| {page} | {s['performance']} | {s['accessibility']} | "
            f"{s['best-practices']} | {s['seo']} |"
        )
    lines += [
        "",
        f"Target: at least {TARGET} in every category on both pages.",
        "",
        "## Accessibility in the test suite",
        "",
        "axe-core (through `axe-playwright-python`) runs inside `make test` on the home,",
        "article (with comments and the comment form), source, topic, search, sign-up,",
        "log-in, profile and moderation-queue pages and must report zero violations",
        "(`tests/browser/test_accessibility.py`).",
        "",
    ]
    # The hand-written sections after the accessibility one (valid HTML...) are kept.
    path = ROOT / "docs" / "quality.md"
    kept = path.read_text().partition("\n## Valid HTML in the test suite\n")
    tail = kept[1] + kept[2] if kept[1] else ""
    path.write_text("\n".join(lines) + tail)


if __name__ == "__main__":
    sys.exit(main())
