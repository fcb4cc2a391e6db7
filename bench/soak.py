"""Faults under load: nothing a reader posted is lost, no 500, pages while Redis is down.

    python bench/soak.py            # make soak; SOAK_SECONDS=60 for a shorter run

Loopback only, bounded in time, never part of `make test`. It starts its own pieces:
a PostgreSQL database of its own on the shared server (created, then dropped), its own
`redis-server` on a free port, and gunicorn (gunicorn.conf.py, 4 workers) on a free port.
20 simulated readers, each signed in, read pages (signed in and anonymous) and post
comments over HTTP for SOAK_SECONDS (300 by default) while the scenario:

  at 20% of the run  kills that Redis (SIGKILL) and restarts it REDIS_DOWN_SECONDS later,
  at 45%             SIGKILLs one gunicorn worker (the master starts another),
  at 70%             kills and restarts Redis again,
  at 85%             restarts PostgreSQL (immediate stop, then start) when the soak runs
                     its own private cluster (initdb in a temporary directory, the
                     default when PostgreSQL's binaries are installed; SOAK_PRIVATE_PG=0
                     uses a database of its own on the shared server instead, and that
                     server is never restarted).

Then it checks, in the database, that every comment whose POST got a success answer
(a 302 to the comment) exists exactly once and that no comment exists twice; it counts
500s (must be 0), answers served while Redis was down, and latency percentiles overall
and during each fault window. The figures go to docs/reliability.md (--no-write to skip).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.soak_stack import WORKERS, Gunicorn, PrivatePostgres, Redis, psql

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SHARED_PG_URL = os.environ.get("SOAK_PG_URL", "postgres://postgres@127.0.0.1:5432")
READERS = 20
ARTICLES = 30
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- seeding (runs in a child process with the soak's environment) -------------------


def seed() -> None:
    """Articles, signed-in trusted readers (their comments publish at once, so every post
    changes pages), printed as JSON: slugs and each reader's session cookie."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from articles.models import Article, Source

    source = Source.objects.create(name="Soak Gazette", slug="soak-gazette")
    now = timezone.now()
    slugs = []
    for n in range(ARTICLES):
        article = Article.objects.create(
            title=f"Tide tables for week {n}",
            slug=f"tide-tables-{n}",
            body="<p>High water comes a little later each day.</p>",
            source=source,
            status=Article.Status.PUBLISHED,
            published_at=now - timezone.timedelta(hours=n + 1),
        )
        slugs.append(article.slug)
    trusted = Group.objects.get(name="Trusted readers")
    cookies = []
    for n in range(READERS):
        user = User.objects.create_user(f"soak{n}", f"soak{n}@example.org", None)
        user.display_name = f"Soak reader {n}"
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        user.groups.add(trusted)
        client = Client()
        client.force_login(user)
        cookies.append(f"sessionid={client.cookies['sessionid'].value}")
    print(json.dumps({"slugs": slugs, "cookies": cookies}))


# --- the readers ---------------------------------------------------------------------


@dataclass
class Sample:
    at: float
    kind: str
    status: int  # 0: no answer (connection refused or reset, timeout)
    seconds: float


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)  # success answers
    unsure: list[str] = field(default_factory=list)  # no answer: either outcome is fine
    lock: threading.Lock = field(default_factory=threading.Lock)


def request(port: int, method: str, path: str, cookie: str, body: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Cookie": cookie, "Connection": "close"} if cookie else {"Connection": "close"}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace"), response
    finally:
        conn.close()


class Reader(threading.Thread):
    def __init__(self, n: int, port: int, cookie: str, slugs, results: Results, until: float):
        super().__init__(daemon=True)
        self.n, self.port, self.session, self.slugs = n, port, cookie, slugs
        self.results, self.until, self.start_at = results, until, time.monotonic()
        self.csrf_cookie = ""
        self.token = ""
        self.count = 0
        self.rng = random.Random(n)

    def cookie(self) -> str:
        return "; ".join(c for c in (self.session, self.csrf_cookie) if c)

    def record(self, kind: str, started: float, status: int) -> None:
        sample = Sample(started - self.start_at, kind, status, time.monotonic() - started)
        with self.results.lock:
            self.results.samples.append(sample)

    def get(self, kind: str, path: str, signed_in: bool) -> None:
        started = time.monotonic()
        try:
            status, page, response = request(
                self.port, "GET", path, self.cookie() if signed_in else ""
            )
        except OSError:
            self.record(kind, started, 0)
            return
        self.record(kind, started, status)
        if signed_in and status == 200:
            found = TOKEN.search(page)
            if found:
                self.token = found.group(1)
            set_cookie = response.getheader("Set-Cookie") or ""
            csrf = re.search(r"csrftoken=([^;]+)", set_cookie)
            if csrf:
                self.csrf_cookie = f"csrftoken={csrf.group(1)}"

    def post(self, slug: str) -> None:
        if not self.token or not self.csrf_cookie:
            self.get("article (signed in)", f"/articles/{slug}/", True)
            return
        self.count += 1
        mark = f"soak-{self.n}-{self.count}-{secrets.token_hex(3)}"
        body = {"csrfmiddlewaretoken": self.token, "body": f"{mark} The tide was late again."}
        started = time.monotonic()
        try:
            status, _, response = request(
                self.port, "POST", f"/comments/post/{slug}/", self.cookie(), body
            )
        except OSError:
            self.record("post comment", started, 0)
            with self.results.lock:
                self.results.unsure.append(mark)
            return
        self.record("post comment", started, status)
        location = response.getheader("Location") or ""
        with self.results.lock:
            if status == 302 and "#comment-" in location:
                self.results.posted.append(mark)
            elif status >= 500:
                self.results.unsure.append(mark)

    def run(self) -> None:
        while time.monotonic() < self.until:
            slug = self.rng.choice(self.slugs)
            roll = self.rng.random()
            if roll < 0.25:
                self.post(slug)
            elif roll < 0.6:
                self.get("article (signed in)", f"/articles/{slug}/", True)
            elif roll < 0.85:
                self.get("article (anonymous)", f"/articles/{slug}/", False)
            else:
                self.get("home (anonymous)", "/", False)
            time.sleep(self.rng.uniform(0.05, 0.4))


# --- the scenario --------------------------------------------------------------------


def faults(redis, server, postgres, seconds: float, down: float, windows: list, t0):
    """Kill Redis at 20% and 70% of the run, a gunicorn worker at 45%, restart the
    private PostgreSQL at 85%."""

    def at(fraction: float) -> None:
        time.sleep(max(0.0, t0 + fraction * seconds - time.monotonic()))

    plan = [(0.2, "redis"), (0.45, "worker"), (0.7, "redis")]
    if postgres is not None:
        plan.append((0.85, "postgres"))
    for fraction, what in plan:
        at(fraction)
        start = time.monotonic() - t0
        if what == "postgres":
            postgres.stop("immediate")  # as a crash would: no checkpoint, clients cut off
            time.sleep(min(5.0, down))
            postgres.start()
            windows.append(("PostgreSQL restarted (+5 s)", start, time.monotonic() - t0 + 5))
        elif what == "redis":
            redis.kill()
            time.sleep(down)
            redis.start()
            windows.append(("Redis down", start, time.monotonic() - t0))
        else:
            victim = random.choice(server.workers())
            os.kill(victim, signal.SIGKILL)
            windows.append(("worker killed (+10 s)", start, start + 10))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.seed:
        seed()
        return
    seconds = float(os.environ.get("SOAK_SECONDS", "300"))
    down = float(os.environ.get("REDIS_DOWN_SECONDS", min(20.0, seconds * 0.08)))
    db = f"nr_soak_{secrets.token_hex(3)}"
    private = os.environ.get("SOAK_PRIVATE_PG", "1") == "1" and PrivatePostgres.available()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        postgres = PrivatePostgres(tmp) if private else None
        url = postgres.url if postgres else SHARED_PG_URL
        redis = Redis(tmp)
        server = None
        log = (tmp / "gunicorn.log").open("w+")
        try:
            if postgres:
                postgres.init()
            redis.start()
            psql(url, f"CREATE DATABASE {db}")
            env = soak_env(tmp, f"{url}/{db}", redis.port)
            subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
            subprocess.run(
                [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            seeded = subprocess.run(
                [PY, __file__, "--seed"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            facts = json.loads(seeded.stdout.strip().splitlines()[-1])
            server = Gunicorn(env, log)
            report = run_load(server, redis, postgres, facts, seconds, down, url, db)
        finally:
            if server:
                server.stop()
            redis.kill()
            if postgres:
                postgres.stop()
            else:
                psql(url, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        log.seek(0)
        tracebacks = log.read().count("Traceback")
    report["tracebacks"] = tracebacks
    print_report(report)
    if not args.no_write:
        write_report(report)
    ok = report["lost"] == 0 and report["duplicated"] == 0 and report["status"].get(500, 0) == 0
    sys.exit(0 if ok else 1)


def soak_env(tmp: Path, database_url: str, redis_port: int) -> dict:
    """The benchmark's production-like environment (bench/run.py), on the soak's own
    PostgreSQL database and Redis."""
    from run import base_env  # bench/ is on sys.path when this script runs

    env = base_env(tmp)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        # Readers post every second or so: the flood limit would refuse most of it.
        COMMENTS_FLOOD_SECONDS="0",
    )
    return env


def run_load(server, redis, postgres, facts: dict, seconds: float, down: float, url: str, db):
    results, windows = Results(), []
    t0 = time.monotonic()
    until = t0 + seconds
    readers = [
        Reader(n, server.port, cookie, facts["slugs"], results, until)
        for n, cookie in enumerate(facts["cookies"])
    ]
    for reader in readers:
        reader.start_at = t0
        reader.start()
    fault = threading.Thread(
        target=faults, args=(redis, server, postgres, seconds, down, windows, t0)
    )
    fault.start()
    for reader in readers:
        reader.join()
    fault.join()
    rows = psql(
        url,
        "SELECT split_part(body, ' ', 1), count(*) FROM comments_comment "
        "WHERE body LIKE 'soak-%' GROUP BY 1",
        db,
    )
    counts = dict(line.split("|") for line in rows.splitlines() if line)
    counts = {mark: int(n) for mark, n in counts.items()}
    status: dict[int, int] = {}
    for sample in results.samples:
        status[sample.status] = status.get(sample.status, 0) + 1
    by_window = []
    quiet = [s for s in results.samples if not any(a <= s.at <= b for _, a, b in windows)]
    for name, start, end in windows + [("outside the fault windows", 0.0, seconds)]:
        inside = [s for s in results.samples if start <= s.at <= end]
        if name.startswith("outside"):
            inside = quiet
        served = sum(1 for s in inside if s.kind != "post comment" and s.status == 200)
        by_window.append(
            {
                "name": name,
                "start": round(start, 1),
                "end": round(end, 1),
                "requests": len(inside),
                "pages_served": served,
                "errors": sum(1 for s in inside if s.status == 0 or s.status >= 500),
                "statuses": dict(sorted(Counter(s.status for s in inside).items())),
                "error_starts": [
                    f"{s.at:.1f} s ({s.status or 'no answer'})"
                    for s in inside
                    if s.status == 0 or s.status >= 500
                ][:20],
                "p99_ms": round(percentile([s.seconds for s in inside], 99) * 1000),
            }
        )
    kinds = sorted({s.kind for s in results.samples})
    return {
        "seconds": seconds,
        "redis_down_seconds": down,
        "requests": len(results.samples),
        "status": status,
        "posted_ok": len(results.posted),
        "lost": sum(1 for mark in results.posted if counts.get(mark, 0) == 0),
        "duplicated": sum(1 for n in counts.values() if n > 1),
        "unsure": len(results.unsure),
        "unsure_stored": sum(1 for mark in results.unsure if counts.get(mark, 0) == 1),
        "stored": sum(counts.values()),
        "windows": by_window,
        "latency": {
            kind: {
                "n": len(v := [s.seconds for s in results.samples if s.kind == kind]),
                "p50_ms": round(percentile(v, 50) * 1000),
                "p99_ms": round(percentile(v, 99) * 1000),
            }
            for kind in kinds
        },
        "postgres": "private cluster, restarted at 85%" if postgres else "shared server",
        "p99_all_ms": round(percentile([s.seconds for s in results.samples], 99) * 1000),
        "machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end",
    }


def print_report(r: dict) -> None:
    print(json.dumps(r, indent=2, default=str))


def _answers(counts: dict) -> str:
    return ", ".join(
        f"{'no answer' if code == 0 else code}: {n:,}" for code, n in sorted(counts.items())
    )


def write_report(r: dict) -> None:
    path = ROOT / "docs" / "reliability.md"
    text = path.read_text() if path.exists() else ""
    start, end = "<!-- soak:begin -->", "<!-- soak:end -->"
    statuses = _answers(r["status"])
    lines = [
        start,
        f"Last run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{r['seconds']:.0f} s, {READERS} readers, {WORKERS} gunicorn workers, "
        f"Redis down {r['redis_down_seconds']:.0f} s twice; PostgreSQL: {r['postgres']}; "
        f"{r['machine']}.",
        "",
        "| Check | Result |",
        "|---|---|",
        f"| Comments whose POST got a success answer | {r['posted_ok']:,} |",
        f"| ... missing from the database | **{r['lost']}** |",
        f"| Comments stored more than once | **{r['duplicated']}** |",
        f"| POSTs with no answer or a 5xx (either outcome allowed) | {r['unsure']:,}, "
        f"{r['unsure_stored']:,} of them stored |",
        f"| Requests | {r['requests']:,} ({statuses}) |",
        f"| 500 answers | **{r['status'].get(500, 0)}** |",
        f"| Tracebacks in the gunicorn log | {r['tracebacks']} |",
        f"| p99, whole run | {r['p99_all_ms']:,} ms |",
        "",
        "| Fault window | Seconds | Requests | Pages served (200) | Errors (5xx, no answer) "
        "| Answers | p99 |",
        "|---|---|---|---|---|---|---|",
    ]
    for w in r["windows"]:
        lines.append(
            f"| {w['name']} | {w['start']}–{w['end']} | {w['requests']:,} | "
            f"{w['pages_served']:,} | {w['errors']:,} | {_answers(w['statuses'])} | "
            f"{w['p99_ms']:,} ms |"
        )
    outside = r["windows"][-1]["error_starts"]
    if outside:
        lines += [
            "",
            "Errors outside the fault windows (windows count requests by the time they "
            f"started) started at: {', '.join(outside)}.",
        ]
    lines += ["", "| Request | n | p50 | p99 |", "|---|---|---|---|"]
    for kind, v in r["latency"].items():
        lines.append(f"| {kind} | {v['n']:,} | {v['p50_ms']:,} ms | {v['p99_ms']:,} ms |")
    lines.append(end)
    block = "\n".join(lines)
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
