"""The benchmark's writers (bench/mixed.py): `python bench/prepare.py write KIND` runs
one under Django until SIGTERM, writing through the real write paths while wrk reads."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, Source


def write(kind: str, *, paused: bool = False) -> None:
    """Write through the real paths until SIGTERM, then print `WROTE <count>`.

    approve: a pending comment every 0.5 s (comments.services.comment_approve);
    approve-unread: the same, on articles the mixed rows do not read (bench/approvals_probe.py);
    poll: an unchanged feed every second (ingest.importer.ingest_source, from a local
    server); publish: a draft every 10 s (articles.publishing.publish); publish-one: one
    draft, its title printed; poll-setup: the feed's first import, then exit. Purges
    (PURGE_URLS) are tasks the benchmark's task worker sends. `paused`: wait for SIGUSR2
    before the first write."""
    import signal

    stopping, paused = [], [True] if paused else []
    # A flag, not an exception: one raised inside a write could be caught by the code it
    # interrupts (a purge retry loop, a transaction) and the count lost.
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    # SIGUSR1 pauses after the write under way, SIGUSR2 resumes (bench/mixed.py's
    # slices). The pace counts running time only: a publish every 10 s of it.
    signal.signal(signal.SIGUSR1, lambda *_: paused.append(True))
    signal.signal(signal.SIGUSR2, lambda *_: paused.clear())
    User = get_user_model()
    editor = User.objects.get(username="bench-editor")
    step, action = {
        "approve": (0.5, lambda: _approve),
        "approve-unread": (0.5, _unread_approver),
        "poll": (1.0, _poller),
        "publish": (10.0, lambda: _publish),
        "publish-one": (0.0, lambda: _publish),
        "poll-setup": (0.0, _poller),
    }[kind]
    action = action()  # the poller starts its feed server and imports once here
    print("READY", flush=True)
    # Seconds run (not paused), and at which the next write is due: the first half a
    # step in, so a publish every 10 s falls mid-way through bench/mixed.py's windows.
    done, running, due = 0, 0.0, step / 2
    last = time.monotonic()
    while not stopping:
        now = time.monotonic()
        if not paused:
            running += now - last
        last = now
        if paused or running < due:
            time.sleep(0.02)
            continue
        title = action(editor)
        done += 1
        due += step
        if kind == "publish-one":
            print(f"TITLE {title}", flush=True)
            break
        if kind == "poll-setup":
            break
    print(f"WROTE {done}", flush=True)


def _unread_approver():
    """`_approve` on articles the mixed rows do not read (bench/prepare.py, run as the
    main module, chooses those)."""
    from functools import partial

    from __main__ import mixed_articles

    return partial(_approve, unread=[a.pk for a in mixed_articles()])


def _approve(moderator, unread=()) -> str:
    from comments import services
    from comments.models import Comment, Status

    # The oldest waiting, as the moderation queue lists them (index status, created_at:
    # 0.1 ms). Ordered by pk, PostgreSQL walked the primary key past 100,000 approved
    # comments to the pending ones at its end: 24 ms on an idle machine, the writer's
    # largest cost, and the benchmark's, not the site's.
    pending = Comment.objects.filter(status=Status.PENDING)
    if unread:
        pending = pending.exclude(article_id__in=unread)
    # With its author and article, as the moderation queue's actions load it
    # (comments/moderation_views.py): the service reads both (the author's notice), and
    # loaded lazily they were two more queries a write that the site does not make.
    comment = pending.select_related("author", "article").order_by("created_at", "id").first()
    if comment is not None:
        services.comment_approve(comment=comment, moderator=moderator)
    return ""


def _publish(editor) -> str:
    from articles import publishing

    draft = Article.objects.filter(status=Article.Status.DRAFT).order_by("pk").first()
    if draft is not None:
        publishing.publish(article=draft, author=editor, when=timezone.now())
        return draft.title
    return ""


def _poller():
    """A local server with a fixed feed for one source; the first import before READY."""
    import http.server
    import threading

    from ingest.importer import ingest_source

    items = "".join(
        f"<item><title>Bench wire item {n}</title><link>https://wire.example.org/{n}</link>"
        f"<guid>bench-wire-{n}</guid><description>Tide tables, item {n}.</description>"
        "<pubDate>Mon, 02 Jan 2023 10:00:00 GMT</pubDate></item>"
        for n in range(20)
    )
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Bench wire</title>'
        f"<link>https://wire.example.org/</link><description>Fixed</description>{items}"
        "</channel></rss>"
    ).encode()

    class Feed(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(feed)))
            self.end_headers()
            self.wfile.write(feed)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.FEED_ALLOW_PRIVATE_HOSTS = True
    url = f"http://127.0.0.1:{server.server_port}/feed.xml"
    # Pointing the source at the local feed is set-up, not news: no signal.
    Source.objects.filter(slug="bench-source-0").update(feed_url=url)
    source = Source.objects.get(slug="bench-source-0")
    ingest_source(source=source)  # the first import: new drafts, before the row starts

    def poll(editor) -> str:
        ingest_source(source=source)
        return ""

    return poll
