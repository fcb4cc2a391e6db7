"""Full-text benchmark: one poll of a 100-entry summary-only feed with "Fetch the full
article" on, served locally with article pages of realistic size.

    python bench/fulltext_bench.py [--entries 100] [--delay 0.2]

The pages are the labelled set's layouts (tests/ingest/fulltext/pages.py) around articles
of about 700 words, with the inline scripts and styles real news pages carry (about
150 KB a page). The poll runs the real importer and the real full-text task (run at
once, as the worker would run it), all pages on one host with FULLTEXT_DELAY = --delay.
It reports the pages fetched per second from that host, the shortest pause the server saw
between the end of one request and the start of the next (politeness: it must not be
below the delay), and the extraction time per article (trafilatura, nh3 and the checks,
timed apart from fetching; target at most 50 ms). It uses its own throw-away database.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ["FEED_ALLOW_PRIVATE_HOSTS"] = "1"  # the pages are served from loopback

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.utils.html import escape  # noqa: E402

from articles.models import Article, Source  # noqa: E402
from bench.database import throwaway_database  # noqa: E402
from ingest.fulltext import body_from_page  # noqa: E402
from ingest.importer import ingest_source  # noqa: E402
from ingest.models import FeedState  # noqa: E402
from tests.ingest.fulltext.pages import LAYOUTS, SITES  # noqa: E402
from tests.ingest.fulltext.stories import STORIES  # noqa: E402

# What a real article page carries besides the article: analytics, ads and styles.
SCRIPT = "<script>" + "window.ads.push({slot:'mpu',sizes:[[300,250]],targeting:{}});" * 1200
STYLE = "<style>" + ".card{margin:0 0 1rem;padding:.5rem;border:1px solid #ddd}" * 600


def page(n: int) -> tuple[str, str, bytes]:
    """(title, summary, page bytes) of the n-th article: eight stories' paragraphs."""
    title = f"{STORIES[n % len(STORIES)][0]} ({n})"
    paragraphs = [p for k in range(8) for p in STORIES[(n + k) % len(STORIES)][1]]
    layout = LAYOUTS[n % len(LAYOUTS)]
    html, _ = layout(n, title, paragraphs, SITES[n % len(SITES)])
    html = html.replace("</head>", f"{SCRIPT}</script>{STYLE}</style></head>", 1)
    return title, paragraphs[0], html.encode()


class Server:
    """Serves the feed and the pages; records when each page request starts and ends."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.spans: list[tuple[float, float]] = []
        spans = self.spans

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                started = time.monotonic()
                body = files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")
                if self.path.startswith("/news/"):
                    spans.append((started, time.monotonic()))

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.2, help="FULLTEXT_DELAY (seconds)")
    args = parser.parse_args()
    logging.getLogger("django_tasks").setLevel(logging.WARNING)  # a line per task otherwise
    settings.FULLTEXT_DELAY = args.delay
    # The full-text task runs inside the poll, as a worker would run it after the poll.
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    files: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nDisallow: /private/\n"}
    items, pages = [], []
    for n in range(args.entries):
        title, summary, body = page(n)
        files[f"/news/{n}"] = body
        pages.append(body)
        items.append((n, title, summary))
    server = Server(files)
    files["/rss"] = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>'
        + "".join(
            f"<item><guid>b-{n}</guid><title>{escape(t)}</title>"
            f"<link>{server.base}/news/{n}</link><description>{escape(s)}</description></item>"
            for n, t, s in items
        )
        + "</channel></rss>"
    ).encode()

    with throwaway_database("bench_fulltext"):
        source = Source.objects.create(
            name="Bench Gazette",
            slug="bench-gazette",
            feed_url=server.base + "/rss",
            fetch_full_text=True,
        )
        began = time.monotonic()
        with override_settings(TASKS=immediate):
            report = ingest_source(source=source, deadline=time.monotonic() + 3600)
        seconds = time.monotonic() - began
        full = Article.objects.filter(source=source, full_text_fetched_at__isnull=False).count()
        note = FeedState.objects.get(pk=source.pk).full_text_note

    spans = sorted(server.spans)
    fetched = len(spans)
    window = spans[-1][1] - spans[0][0] if spans else 0.0
    gaps = [b[0] - a[1] for a, b in zip(spans, spans[1:], strict=False)]
    timings = []
    for n, body in enumerate(pages):
        started = time.perf_counter()
        body_from_page(body, url=f"{server.base}/news/{n}")
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    size = statistics.mean(len(p) for p in pages) / 1024
    print(f"Full-text benchmark: {args.entries} entries, pages of {size:.0f} KB on average")
    print(f"poll: {report.line()}; {full} articles with full text; {seconds:.1f} s in all")
    print(f"  note on the source: {note}")
    print(
        f"pages fetched from the one host: {fetched} in {window:.1f} s = "
        f"{fetched / window if window else 0:.2f} pages/s (FULLTEXT_DELAY {args.delay:g} s: "
        f"at most {1 / args.delay if args.delay else float('inf'):.2f})"
    )
    print(
        f"  shortest pause between two requests: {min(gaps) * 1000 if gaps else 0:.0f} ms "
        f"({'respected' if not gaps or min(gaps) >= args.delay * 0.99 else 'NOT RESPECTED'})"
    )
    print(
        f"extraction per article: median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, max {timings[-1]:.1f} ms "
        f"(target <= 50 ms)"
    )
    if gaps and min(gaps) < args.delay * 0.99:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
