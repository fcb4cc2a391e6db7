"""Comment import benchmark: time and peak memory of `import_comments` on a big export.

    python bench/import_bench.py [--comments 100000] [--channel-mb 100] [--unmatched-mb 50]
                                 [--only {comments,channel}] [--database-url URL]

Writes a WordPress WXR export of --comments comments (invented text; 1,000 posts, a
third of the comments top-level, the rest replies to an earlier comment of the same
post; 5,000 authors, 1 in 10 with a confirmed account here) to a temporary file, then,
in a fresh process per run so each peak is its own, imports it into a throw-away
database (a temporary SQLite file by default): first 10% of the export, then the whole,
then the whole again (nothing new). Peak memory is `resource.getrusage().ru_maxrss`
measured in that process, against its own baseline after Django and the database are
ready. Then two exports that once broke it (issue 28): --channel-mb of `wp:category`
elements at the channel's level before 1,000 comments (they were never freed), and
--unmatched-mb of posts no article matches, one comment each (a query per thread).
CPU time is given beside wall time: on a shared machine the wall time says more
about the neighbours. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTS = 1000
AUTHORS = 5000
WORDS = (
    "quay harbour ferry council tide lights minutes vote winter pier boats storm fund "
    "market school bridge island path wall rain bus timetable residents plan evening"
).split()


def write_export(path: Path, comments: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    per_post = max(1, comments // POSTS)
    made = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Bench</title>\n'
            "<wp:base_site_url>https://old.example.org</wp:base_site_url>\n"
        )
        for post in range(POSTS):
            out.write(
                f"<item><title>Post {post}</title>"
                f"<link>https://old.example.org/{post}/</link><wp:post_id>{post}</wp:post_id>\n"
            )
            ids: list[int] = []
            count = per_post if post < POSTS - 1 else comments - made
            for _ in range(count):
                made += 1
                parent = rng.choice(ids) if ids and rng.random() < 2 / 3 else 0
                ids.append(made)
                author = rng.randrange(AUTHORS)
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
                out.write(
                    f"<wp:comment><wp:comment_id>{made}</wp:comment_id>"
                    f"<wp:comment_author>Reader {author}</wp:comment_author>"
                    f"<wp:comment_author_email>r{author}@example.net</wp:comment_author_email>"
                    f"<wp:comment_date_gmt>2020-01-01 10:00:00</wp:comment_date_gmt>"
                    f"<wp:comment_content><![CDATA[<p>{words}.</p>]]></wp:comment_content>"
                    f"<wp:comment_approved>1</wp:comment_approved>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel></rss>\n")


CATEGORY = (
    "<wp:category><wp:term_id>{n}</wp:term_id><wp:category_nicename>cat-{n}"
    "</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name>"
    "<![CDATA[Category {n}]]></wp:cat_name><wp:category_description><![CDATA[{words}]]>"
    "</wp:category_description></wp:category>\n"
)
HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
    'xmlns:wp="http://wordpress.org/export/1.2/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Bench</title>\n'
    "<wp:base_site_url>{site}</wp:base_site_url>\n"
)


def write_channel_export(path: Path, megabytes: int, comments: int = 1000) -> None:
    """`megabytes` of categories in the channel, then `comments` comments."""
    small = path.with_suffix(".comments.xml")
    write_export(small, comments)
    items = small.read_text(encoding="utf-8")
    items = items[items.index("<item>") :]
    words = " ".join(WORDS)
    with path.open("w", encoding="utf-8") as out:
        # Another site than the comments runs' export: its ids are new there.
        out.write(HEADER.format(site="https://channel.example.org"))
        n = 0
        while out.tell() < megabytes * 1_000_000:
            out.write("".join(CATEGORY.format(n=n + i, words=words) for i in range(1000)))
            n += 1000
        out.write(items)
    small.unlink()


def write_unmatched_export(path: Path, megabytes: int) -> None:
    """Posts on pages no article here has, one comment each, to `megabytes`."""
    words = " ".join(WORDS)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER.format(site="https://gone.example.org"))  # another site's ids
        n = 0
        while out.tell() < megabytes * 1_000_000:
            out.write(
                f"<item><title>Gone {n}</title><link>https://gone.example.org/{n}/</link>"
                f"<wp:post_id>{n}</wp:post_id><content:encoded>{words}</content:encoded>"
                f"<wp:comment><wp:comment_id>{n}</wp:comment_id>"
                f"<wp:comment_author>Reader {n % AUTHORS}</wp:comment_author>"
                f"<wp:comment_date_gmt>2020-01-01 10:00:00</wp:comment_date_gmt>"
                f"<wp:comment_content>{words}</wp:comment_content>"
                f"<wp:comment_approved>1</wp:comment_approved></wp:comment></item>\n"
            )
            n += 1
        out.write("</channel></rss>\n")


def child(export: str, first: bool) -> None:
    """One import in this process; prints a JSON line of its figures. `first`: migrate
    and seed the database instead (in a process of its own, so no import's baseline
    holds the migrations' memory)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if first:
        call_command("migrate", verbosity=0)
        _seed()
        return
    from django.db import connection

    from comments.importing.loader import import_comments

    queries = [0]

    def count(execute, sql, params, many, context):  # not Django's query log: no SQL kept
        queries[0] += 1
        return execute(sql, params, many, context)

    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    with connection.execute_wrapper(count):
        summary = import_comments(source="wordpress", path=export)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    baseline, peak = before.ru_maxrss, after.ru_maxrss
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(
        json.dumps(
            {
                "read": summary.read,
                "imported": summary.imported,
                "skipped": summary.already_there,
                "unmatched": summary.unmatched_comments,
                "queries": queries[0],
                "seconds": round(seconds, 1),
                "cpu_seconds": round(cpu, 1),
                "baseline_mb": round(baseline / 1024, 1),
                "peak_mb": round(peak / 1024, 1),
            }
        )
    )


def _seed() -> None:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from articles.models import Article, Source

    source = Source.objects.create(name="Old site", slug="old-site")
    Article.objects.bulk_create(
        Article(
            title=f"Post {n}",
            slug=f"post-{n}",
            source=source,
            status="published",
            original_url=f"https://old.example.org/{n}/",
        )
        for n in range(POSTS)
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"bench-{n}", email=f"r{n}@example.net") for n in range(0, AUTHORS, 10)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--channel-mb", type=int, default=100)
    parser.add_argument("--unmatched-mb", type=int, default=50)
    parser.add_argument("--only", choices=("comments", "channel"), default="")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--child", nargs=2, metavar=("EXPORT", "FIRST"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1] == "1")
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/bench.db",
            # As in production: with DEBUG on, Django keeps the last 9,000 queries' SQL
            # (bulk INSERTs of 500 rows each) in memory, which is not the importer's.
            "DEBUG": "0",
            "HTTPS": "0",
            "SECRET_KEY": "bench-import-not-secret",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        runs = []
        if args.only != "channel":
            small, full = Path(tmp) / "small.xml", Path(tmp) / "full.xml"
            write_export(small, args.comments // 10)
            write_export(full, args.comments)
            print(f"Export: {args.comments:,} comments, {full.stat().st_size / 1e6:.1f} MB")
            runs += [
                ("10% of the export", small),
                ("whole export", full),
                ("whole export again", full),
            ]
        if args.only != "comments":
            channel, unmatched = Path(tmp) / "channel.xml", Path(tmp) / "unmatched.xml"
            write_channel_export(channel, args.channel_mb)
            write_unmatched_export(unmatched, args.unmatched_mb)
            runs += [
                (f"{channel.stat().st_size / 1e6:.0f} MB, wp:category in the channel", channel),
                (f"{unmatched.stat().st_size / 1e6:.0f} MB of unmatched posts", unmatched),
            ]
        command = [sys.executable, __file__, "--child"]
        subprocess.run([*command, "-", "1"], env=env, check=True)  # migrate and seed
        for label, export in runs:
            result = subprocess.run(
                [*command, str(export), "0"], env=env, check=True, capture_output=True, text=True
            )
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            rate = figures["read"] / max(figures["seconds"], 0.001)
            print(
                f"{label}: {figures['read']:,} read, {figures['imported']:,} imported, "
                f"{figures['skipped']:,} already there, {figures['unmatched']:,} unmatched, "
                f"{figures['seconds']} s ({rate:,.0f}/s; CPU {figures['cpu_seconds']} s), "
                f"{figures['queries']:,} queries, "
                f"peak RSS {figures['peak_mb']} MB (baseline {figures['baseline_mb']} MB)"
            )


if __name__ == "__main__":
    main()
