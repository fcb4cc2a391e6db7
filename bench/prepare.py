"""Benchmark data and facts, run under Django by bench/run.py (never by the test suite).

`python bench/prepare.py seed --articles N ...` fills an empty database fast with
bulk_create; `python bench/prepare.py facts` prints, as one JSON line, what the load run
needs: URLs, a signed-in reader's and an editor's session cookies, drafts to publish, the
SQL queries each page type takes (test client + CaptureQueriesContext) and versions.
All text is generated from an invented vocabulary.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import DatabaseError, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Source, Topic  # noqa: E402
from bench.story_seed import group_in_stories  # noqa: E402

PLACES = (
    "Harbourside Kelmorrow Ashdene Pellow Varrick Brindlemere Oskway Tamsford Lowen Carrow "
    "Dunmarsh Fenbury Greyhaven Holloway Islebridge Juniper Kestle Larkfield Morwick Norbay"
).split()
NOUNS = (
    "council ferry quay lighthouse market bridge school clinic orchard railway harbour "
    "tramline library reservoir festival regatta museum library union brewery vineyard "
    "shipyard airfield archive observatory canal fishery bakery theatre stadium"
).split()
VERBS = (
    "approves delays reopens expands rejects reviews funds restores closes launches "
    "questions celebrates rebuilds postpones welcomes"
).split()
OBJECTS = (
    "new timetable repair plan winter budget night service safety review flood defences "
    "summer programme rent freeze cycle lanes coastal path tree planting heritage grant "
    "school meals bus routes parking charges water tariff"
).split(" ")
WORDS = (
    "the a of to and in for on with at by from after before during while residents "
    "officials said expected week month year morning evening storm tide wind rain river "
    "coast town city village road street plan vote report survey figures costs workers "
    "volunteers visitors families engineers farmers fishermen teachers nurses drivers "
    "agreed warned argued noted confirmed announced described estimated measured "
    "quickly slowly finally again already still nearly almost early late local regional "
    "public private small large older newer longer shorter higher lower"
).split()


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(3, 5)))


SYLLABLES = "bra cor del fen gra hul jor kev lom mir nax pel quo ris sat tov ulm vey wex".split()


def coined_text(i: int) -> tuple[str, str, str]:
    """A draft's title, summary and body in words of its own (made up from syllables and
    its number): each published draft is a story of its own, as most publishes are. In the
    shared vocabulary above every draft looked like every other to the stories app, so
    each publish joined one growing story, which the home page shows by its first report:
    the benchmark's "publish visible through Varnish" looked for a title the page rightly
    never showed."""
    rng = random.Random(f"draft-{i}")
    words = [
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))) + str(i) for _ in range(40)
    ]

    def said(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."

    title = f"{words[0].title()} {words[1]} {rng.choice(VERBS)} {words[2]} ({i})"
    body = "".join(
        f"<p>{' '.join(said(rng.randint(8, 18)) for _ in range(4))}</p>" for _ in range(5)
    )
    return title, said(rng.randint(14, 26)), body


def seed(*, articles: int, sources: int, topics: int, comments: int, rng_seed: int = 7) -> None:
    """An empty database becomes a realistic site, in a few bulk inserts."""
    rng = random.Random(rng_seed)
    now = timezone.now()
    t0 = time.monotonic()
    with transaction.atomic():
        srcs = Source.objects.bulk_create(
            [
                Source(
                    name=f"{PLACES[i % len(PLACES)]} {'Wire' if i % 5 == 4 else 'Gazette'} {i}",
                    slug=f"bench-source-{i}",
                    kind=Source.Kind.AGENCY if i % 5 == 4 else Source.Kind.PUBLISHER,
                    homepage_url=f"https://source{i}.example.org/",
                    description=sentence(rng, 14),
                )
                for i in range(sources)
            ]
        )
        agencies = [s for s in srcs if s.kind == Source.Kind.AGENCY] or srcs[:1]
        tops = Topic.objects.bulk_create(
            [
                Topic(
                    name=f"{NOUNS[i % len(NOUNS)].title()} {i}",
                    slug=f"bench-topic-{i}",
                    in_navigation=i < 6,
                    position=i,
                    description=sentence(rng, 10),
                )
                for i in range(topics)
            ]
        )
        batch = []
        for i in range(articles):
            title = (
                f"{rng.choice(PLACES)} {rng.choice(NOUNS)} {rng.choice(VERBS)} "
                f"{rng.choice(OBJECTS)} ({i})"
            )
            source = srcs[rng.randrange(len(srcs))]
            status = Article.Status.PUBLISHED if i % 50 else Article.Status.DRAFT
            # Most within a year; the newest 1% within the last two days (the news sitemap).
            age = (
                timedelta(minutes=rng.randint(5, 2 * 24 * 60))
                if i % 100 == 1
                else timedelta(minutes=rng.randint(60, 365 * 24 * 60))
            )
            body = "".join(f"<p>{paragraph(rng)}</p>" for _ in range(rng.randint(4, 8)))
            summary = sentence(rng, rng.randint(14, 26))
            if status == Article.Status.DRAFT:
                title, summary, body = coined_text(i)
            batch.append(
                Article(
                    title=title,
                    slug=f"bench-{i}",
                    summary=summary,
                    body=body,
                    source=source,
                    agency=agencies[i % len(agencies)] if i % 5 == 0 else None,
                    byline=f"{rng.choice(PLACES)} Desk" if i % 3 else "",
                    original_url=f"https://source.example.org/story/{i}" if i % 4 == 0 else "",
                    status=status,
                    published_at=now - age if status == Article.Status.PUBLISHED else None,
                )
            )
        Article.objects.bulk_create(batch, batch_size=1000)
        ids = list(Article.objects.values_list("pk", flat=True))
        through = Article.topics.through
        links = []
        for pk in ids:
            for topic in rng.sample(tops, k=min(len(tops), rng.randint(1, 3))):
                links.append(through(article_id=pk, topic_id=topic.pk))
        through.objects.bulk_create(links, batch_size=5000)
        # Stories, so the Following page's row shows a page of cards (its follows name
        # stories too).
        group_in_stories(list(Article.objects.published().order_by("published_at", "pk")))
        _users()
        n_comments = _seed_comments(rng, ids, comments)
    n_comments += pending_comments()
    if connection.vendor == "postgresql":
        # What autovacuum does on a live site: planner statistics, and the GIN index's
        # pending list merged (until then PostgreSQL prefers a slow sequential scan).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            # ...and the bulk load's dirty pages written now, not by a checkpoint in the
            # middle of the first rows (it held signed-in pages' queries behind disk
            # writes: 381 req/s then, 453-572 on the same data once it had passed).
            try:
                cursor.execute("CHECKPOINT")
            except DatabaseError:  # not a superuser: the checkpointer will get to it
                pass
    cache.clear()  # bulk inserts send no signals: start from an empty cache
    print(
        f"seeded {articles} articles, {sources} sources, {topics} topics, "
        f"{n_comments} comments in {time.monotonic() - t0:.1f}s",
        file=sys.stderr,
    )


def _users():
    User = get_user_model()
    reader = User.objects.create_user(
        username="bench-reader",
        email="reader@bench.example.org",
        password="bench-Passw0rd!",
        display_name="Bench Reader",
    )
    if apps.is_installed("allauth.account"):
        # A reader who may comment: their page carries the comment form and its CSRF token.
        apps.get_model("account", "EmailAddress").objects.create(
            user=reader, email=reader.email, verified=True, primary=True
        )
    User.objects.create_superuser(
        username="bench-editor", email="editor@bench.example.org", password="bench-Passw0rd!"
    )
    commenters = User.objects.bulk_create(
        [User(username=f"bench-commenter-{i}", email=f"c{i}@bench.example.org") for i in range(200)]
    )
    if apps.is_installed("allauth.account"):
        # Confirmed addresses: they may comment through the service (pending_comments).
        apps.get_model("account", "EmailAddress").objects.bulk_create(
            apps.get_model("account", "EmailAddress")(
                user=u, email=u.email, verified=True, primary=True
            )
            for u in commenters
        )


def _seed_comments(rng: random.Random, article_ids: list[int], count: int) -> int:
    """Approved comments spread over the articles: three in four start a thread, the rest
    reply to one, each with the thread and depth that
    `comments.services.post_comment` gives it, so that every one of them renders.

    Bulk inserts, not a service call per comment (100,000 of them would take many
    minutes); the comments the benchmark moderates while it measures are posted through
    the service (`pending_comments`)."""
    if count <= 0:
        return 0
    from comments.models import Comment, Status

    authors = list(
        get_user_model()
        .objects.filter(username__startswith="bench-commenter-")
        .values_list("pk", flat=True)
    )
    now = timezone.now()

    def comment(i: int, article_id: int, **extra) -> Comment:
        return Comment(
            article_id=article_id,
            author_id=rng.choice(authors),
            body=sentence(rng, rng.randint(6, 30)),
            status=Status.APPROVED,
            created_at=now - timedelta(minutes=rng.randint(1, 300_000)),
            fingerprint=f"{i:064x}",
            **extra,
        )

    roots = [comment(i, rng.choice(article_ids)) for i in range(count * 3 // 4)]
    # The queryset's bulk_create derives thread and depth, as post_comment's save() does.
    Comment.objects.bulk_create(roots, batch_size=5000)
    replies = []
    for i in range(len(roots), count):
        parent = rng.choice(roots)
        replies.append(comment(i, parent.article_id, parent=parent))
    Comment.objects.bulk_create(replies, batch_size=5000)
    return len(roots) + len(replies)


SPREAD_ARTICLES = 600
MIXED_ARTICLES = 200


def pending_comments(per_article: int = 3) -> int:
    """Comments waiting for moderation on the articles the mixed-load rows read, posted
    through the service as a reader would (pre-moderation holds them): the benchmark's
    writer approves them one by one while it measures."""
    from comments import services

    settings.COMMENTS_FLOOD_SECONDS = 0  # one process posting for many readers at once
    authors = list(get_user_model().objects.filter(username__startswith="bench-commenter-"))
    made = 0
    for article in mixed_articles():
        for n in range(per_article):
            author = authors[(article.pk + n) % len(authors)]
            body = f"Bench remark {n} on article {article.pk}: the tide tables were right."
            services.post_comment(article=article, author=author, body=body)
            made += 1
    return made


def spread_articles() -> list[Article]:
    return list(Article.objects.published().order_by("-published_at")[:SPREAD_ARTICLES])


def mixed_articles() -> list[Article]:
    return list(Article.objects.published().order_by("-published_at")[:MIXED_ARTICLES])


def _count(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx.captured_queries)


def facts() -> dict:
    """URLs, cookies, drafts and the queries each page type takes (miss, then hit)."""
    User = get_user_model()
    reader = User.objects.get(username="bench-reader")
    editor = User.objects.get(username="bench-editor")
    article = Article.objects.published().order_by("-published_at")[10]
    drafts = list(
        Article.objects.filter(status=Article.Status.DRAFT).values_list("pk", "slug", "title")[:5]
    )
    word = article.title.split()[1]
    search_url = f"{reverse('search:search')}?q={word}"
    urls = {
        "home": reverse("articles:home"),
        "article": article.get_absolute_url(),
        "search": search_url,
        "rss": reverse("syndication:feed_latest_rss"),
        "source": article.source.get_absolute_url(),
        "robots": "/robots.txt",
        "about": reverse("articles:page", args=["about"]),
        "api_article": f"/api/v1/articles/{article.slug}",
    }
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    paths = json.loads(manifest.read_text())["paths"] if manifest.exists() else {}
    static_name = "css/site.css" if "css/site.css" in paths else "admin/css/base.css"
    urls["static"] = settings.STATIC_URL + paths.get(static_name, static_name)

    queries: dict[str, int] = {}
    cache.clear()
    anonymous = Client()
    for name in ("home", "article", "search", "rss", "api_article"):
        queries[f"{name} (anonymous, miss)"] = _count(anonymous, urls[name])[1]
        queries[f"{name} (anonymous, hit)"] = _count(anonymous, urls[name])[1]
    signed_in = Client()
    signed_in.force_login(reader)
    for name in ("home", "article", "search"):
        queries[f"{name} (signed in)"] = _count(signed_in, urls[name])[1]
    # A reader with a comment of their own on the article: their thread is built for them.
    commenter = User.objects.get(username="bench-commenter-0")
    if apps.is_installed("comments"):
        apps.get_model("comments", "Comment").objects.create(
            article=article,
            author=commenter,
            body="A comment of the bench's own.",
            status="approved",
            fingerprint="f" * 64,
        )

    own_thread = Client()
    own_thread.force_login(commenter)
    queries["article (signed in, own comment)"] = _count(own_thread, urls["article"])[1]
    queries["static file"] = _count(anonymous, urls["static"])[1]
    follower = _follower()
    urls["following"] = reverse("following:page")
    queries["Following page (signed in, 50 follows)"] = _count(follower, urls["following"])[1]

    editor_client = Client()
    editor_client.force_login(editor)
    with connection.cursor() as cursor:
        cursor.execute("select version()" if connection.vendor == "postgresql" else "select 1")
        db_version = (
            cursor.fetchone()[0].split(" on ")[0]
            if connection.vendor == "postgresql"
            else "SQLite " + __import__("sqlite3").sqlite_version
        )
    name = settings.SESSION_COOKIE_NAME
    redis_version = ""
    if getattr(settings, "REDIS_URL", ""):
        import redis

        redis_version = redis.Redis.from_url(settings.REDIS_URL).info()["redis_version"]
    return {
        "urls": urls,
        "static_name": static_name,
        # Every cookie the browser would send back: the session and the CSRF token the
        # comment form set (without it each response would mint a new one).
        "reader_cookie": _cookie_header(signed_in),
        "commenter_cookie": _cookie_header(own_thread),
        "follower_cookie": _cookie_header(follower),
        "editor_cookie": f"{name}={editor_client.cookies[name].value}",
        "drafts": drafts,
        # What the mixed-load rows read (bench/mixed.py): home and 200 articles.
        "mixed_paths": ["/", *(a.get_absolute_url() for a in mixed_articles())],
        # What the spread rows read (bench/spread.lua), most read first: home, then the
        # SPREAD_ARTICLES most recent articles.
        "spread_paths": ["/", *(a.get_absolute_url() for a in spread_articles())],
        "queries": queries,
        "articles": Article.objects.count(),
        "published": Article.objects.published().count(),
        "comments": _comment_count(),
        "db": db_version,
        "redis": redis_version,
        "django": django.get_version(),
        "cache_backend": settings.CACHES["default"]["BACKEND"],
        "page_cache_timeout": settings.PAGE_CACHE_TIMEOUT,
    }


def _follower() -> Client:
    """A signed-in reader following 50 things (15 topics, 10 sources, 10 authors, 15
    stories, the most recent ones) for the Following page's row."""
    from following.models import Follow, ReaderSettings
    from stories.models import Story

    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username="bench-follower", defaults={"email": "follower@bench.example.org"}
    )
    recent = Article.objects.published().order_by("-published_at")
    bylines = list(
        dict.fromkeys(recent.exclude(byline_slug="").values_list("byline_slug", flat=True)[:200])
    )
    follows = [Follow(user=user, kind="topic", topic=t) for t in Topic.objects.all()[:15]]
    follows += [Follow(user=user, kind="source", source=s) for s in Source.objects.all()[:10]]
    follows += [Follow(user=user, kind="author", author_slug=b) for b in bylines[:10]]
    stories = Story.objects.filter(lead__isnull=False).order_by("-updated_at")[:15]
    follows += [Follow(user=user, kind="story", story=s) for s in stories]
    Follow.objects.bulk_create(follows, ignore_conflicts=True)
    # As following through the button makes it: the page then marks what is new.
    ReaderSettings.objects.get_or_create(user=user)
    client = Client()
    client.force_login(user)
    return client


def _cookie_header(client: Client) -> str:
    return "; ".join(f"{morsel.key}={morsel.value}" for morsel in client.cookies.values())


def _comment_count() -> int | None:
    try:
        return apps.get_model("comments", "Comment").objects.count()
    except LookupError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--articles", type=int, default=10_000)
    s.add_argument("--sources", type=int, default=20)
    s.add_argument("--topics", type=int, default=50)
    s.add_argument("--comments", type=int, default=100_000)
    sub.add_parser("facts")
    w = sub.add_parser("write")
    kinds = ["approve", "approve-unread", "poll", "poll-setup", "publish", "publish-one"]
    w.add_argument("kind", choices=kinds)
    w.add_argument("--paused", action="store_true", help="wait for SIGUSR2 to start")
    args = parser.parse_args()
    if args.command == "seed":
        seed(
            articles=args.articles,
            sources=args.sources,
            topics=args.topics,
            comments=args.comments,
        )
    elif args.command == "write":
        from writers import write  # noqa: PLC0415 - after django.setup(), like this module

        write(args.kind, paused=args.paused)
    else:
        print("BENCH_FACTS " + json.dumps(facts()))


if __name__ == "__main__":
    main()
