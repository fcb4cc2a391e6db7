"""Feed ingestion benchmark: entries per second and SQL queries per entry.

    python bench/ingest_bench.py [--entries 1000] [--existing 5000]

Generates an RSS 2.0 feed of --entries entries, serves it from a local HTTP server on
127.0.0.1 (ephemeral port) and imports it with the real importer, counting queries with
CaptureQueriesContext. Runs, each on its own feed:

  1. new entries into an empty database,
  2. the same feed again (all unchanged),
  3. after --existing articles are already stored: a fresh feed (all new),
  4. that feed with every entry changed (all updated).

Queries per entry must be the same in 1 and 3: the importer looks known articles up in
bulk and caches topics and agencies per run. The benchmark makes its own throw-away
database (the test database of the configured DATABASE_URL: SQLite in var/, or
PostgreSQL), so the development data is never touched. Images are left out: they measure
Pillow, not the importer.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# The feed is served from loopback, which the importer refuses by default.
os.environ["FEED_ALLOW_PRIVATE_HOSTS"] = "1"
os.environ.setdefault("FEED_MAX_BYTES", str(50 * 1024 * 1024))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils.html import escape  # noqa: E402

from articles.models import Article, Source  # noqa: E402
from bench.database import throwaway_database  # noqa: E402
from ingest.importer import ingest_source  # noqa: E402

TOPICS = [
    "Harbour",
    "Transport",
    "Schools",
    "Weather",
    "Farming",
    "Energy",
    "Health",
    "Culture",
    "Sport",
    "Courts",
    "Housing",
    "Business",
    "Science",
    "Islands",
    "Rivers",
    "Markets",
    "Music",
    "Libraries",
    "Parks",
    "Fishing",
]
PARAGRAPH = (
    "<p>The council met late into the evening to weigh the proposal, which would move the "
    "ferry pier a short way north and widen the path along the sea wall. Residents spoke "
    "for and against; the vote is expected next month.</p>"
)


def make_feed(tag: str, entries: int, *, changed: bool = False) -> bytes:
    """An RSS 2.0 feed of `entries` original, made-up entries."""
    start = datetime(2026, 3, 1, tzinfo=UTC)
    items = []
    for i in range(entries):
        when = (start + timedelta(minutes=i)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        credit = " (Northwind)" if i % 10 == 0 else ""
        edit = " Updated with the final count." if changed else ""
        body = PARAGRAPH * 4 + f"<p>Story {i} of run {tag}.{edit}{credit}</p>"
        items.append(
            f"<item><title>Bench story {tag} {i}: harbour plan {i * 7919 % 10007}</title>"
            f"<link>https://bench.example.org/{tag}/{i}</link>"
            f'<guid isPermaLink="false">bench-{tag}-{i}</guid>'
            f"<description>Summary of story {i}.{edit}</description>"
            f"<content:encoded>{escape(body)}</content:encoded>"
            # Each feed brings its own 20 new topics, so every run pays the same one-off
            # cost of creating them and the runs compare like for like.
            f"<category>{TOPICS[i % len(TOPICS)]} {tag}</category>"
            f"<category>{TOPICS[(i * 3 + 1) % len(TOPICS)]} {tag}</category>"
            f"<pubDate>{when}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>Bench Gazette</title><link>https://bench.example.org/</link>"
        "<description>Generated for the benchmark.</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


class Server:
    """Serves byte strings by path on 127.0.0.1, ephemeral port."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                body = files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, path: str, body: bytes) -> str:
        self.files[path] = body
        return self.base + path


def run(label: str, source: Source, url: str, entries: int) -> dict:
    existing = Article.objects.count()
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        report = ingest_source(source=source, location=url)
        seconds = time.perf_counter() - began
    if report.failed or report.entries != entries:
        raise SystemExit(f"{label}: unexpected result: {report.line()} {report.errors[:3]}")
    return {
        "label": label,
        "existing": existing,
        "summary": report.line().split(": ", 1)[1],
        "seconds": seconds,
        "rate": entries / seconds,
        "queries": len(queries),
        "per_entry": len(queries) / entries,
    }


def seed(source: Source, count: int) -> None:
    """Store `count` articles of the same source, as if imported earlier."""
    now = datetime.now(tz=UTC)
    batch = [
        Article(
            title=f"Earlier story {i}",
            slug=f"earlier-story-{i}",
            summary="Stored before the benchmark run.",
            body=PARAGRAPH,
            source=source,
            guid=f"seed-{i}",
            feed_hash=f"{i:064x}",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=i),
        )
        for i in range(count)
    ]
    Article.objects.bulk_create(batch, batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--existing", type=int, default=5000)
    args = parser.parse_args()

    # Django keeps the last 9,000 queries only; the runs make more.
    connection.queries_log = collections.deque(maxlen=1_000_000)
    with throwaway_database("bench_ingest"):
        server = Server()
        Source.objects.create(name="Northwind", slug="northwind", kind=Source.Kind.AGENCY)
        source = Source.objects.create(name="Bench Gazette", slug="bench-gazette")
        n = args.entries
        results = [run("new, empty DB", source, server.serve("/a", make_feed("a", n)), n)]
        results.append(run("same feed again", source, server.base + "/a", n))
        seed(source, args.existing)
        results.append(run("new, after seeding", source, server.serve("/b", make_feed("b", n)), n))
        changed = server.serve("/b", make_feed("b", n, changed=True))
        results.append(run("all changed", source, changed, n))

    vendor = connection.vendor
    print(f"Feed ingestion benchmark: {n} entries per feed, database: {vendor}")
    print(
        f"{'run':<20} {'stored before':>13} {'seconds':>8} {'entries/s':>10} "
        f"{'queries':>8} {'queries/entry':>14}  summary"
    )
    for r in results:
        print(
            f"{r['label']:<20} {r['existing']:>13} {r['seconds']:>8.2f} {r['rate']:>10.0f} "
            f"{r['queries']:>8} {r['per_entry']:>14.2f}  {r['summary']}"
        )
    empty, seeded = results[0]["per_entry"], results[2]["per_entry"]
    verdict = "constant" if abs(seeded - empty) < 0.05 else "GROWS"
    print(
        f"Queries per new entry: {empty:.2f} with {results[0]['existing']} stored, "
        f"{seeded:.2f} with {results[2]['existing']} stored: {verdict}."
    )
    if verdict != "constant":
        raise SystemExit(1)


if __name__ == "__main__":
    main()
