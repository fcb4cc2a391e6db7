"""Stories benchmark: grouping quality, CPU per new article at scale, full recompute time.

    python bench/stories_bench.py [--articles 100000] [--new 200]

1. Quality: each labelled set (the tuning sets stories/eval_set.txt and
   stories/eval_tuning2.txt, the blend's weights were fitted on, and
   stories/eval_tuning3.txt, and the held-out
   stories/eval_heldout.txt, stories/eval_heldout2.txt, stories/eval_heldout3.txt,
   stories/eval_heldout4.txt, stories/eval_heldout5.txt and stories/eval_heldout6.txt,
   each in a window of its own)
   is saved
   article by article through the real path (post_save -> on_commit -> the
   stories.tasks.assign_article task), then the task worker runs the queue
   (`db_worker --batch`); pairwise
   precision and recall of the resulting stories against the labels.
2. Full recompute: --recompute synthetic articles (invented words, grouped in events of
   one to four reports, one every five minutes) are bulk-inserted, then
   `recompute_stories --restart --jobs 2` groups them all (fingerprints, LSH bands, memberships,
   article and story key points): its time, and the rate per article.
3. Scale: --articles synthetic articles are stored with the bulk path
   `stories.bulk.fill_index` (fingerprints and LSH band rows computed exactly as the live
   path does, one story per article), then --new more are grouped one by one with
   services.assign_article: the CPU time of this process (which runs SQLite itself) and
   the wall time per article, grouping and key points together.

Runs in a throw-away database (bench/database.py: bench_stories on DATABASE_URL's server,
in memory on SQLite), never the site's.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Source  # noqa: E402
from bench.database import throwaway_database  # noqa: E402
from stories import bulk, evaluation, keypoints, services  # noqa: E402
from stories.models import KeyPoint, LshBand, Story, StoryMembership  # noqa: E402

SYLLABLES = "ka lo mi ren tas vel dor pin sur ath bel cro dun fen gar hol ist jor kel".split()


def vocabulary(rng: random.Random, n: int) -> list[str]:
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def sentence(rng, event_words, common, length=12) -> str:
    ws = [
        rng.choice(event_words) if rng.random() < 0.45 else rng.choice(common)
        for _ in range(length)
    ]
    return " ".join(ws).capitalize() + "."


def synthetic(n: int, t0, seed: int = 7, prefix: str = "s"):
    """Articles of invented words, events of 1-4 reports from different sources."""
    rng = random.Random(seed)
    common = vocabulary(rng, 6000)
    sources = [
        Source.objects.get_or_create(slug=f"synthetic-{i}", defaults={"name": f"Synthetic {i}"})[0]
        for i in range(12)
    ]
    made = 0
    event = 0
    while made < n:
        event += 1
        event_words = rng.sample(common, 8)
        when = t0 + timedelta(minutes=5 * made)
        for report in range(min(rng.choice([1, 1, 2, 2, 3, 4]), n - made)):
            body = "".join(
                "<p>" + " ".join(sentence(rng, event_words, common) for _ in range(3)) + "</p>"
                for _ in range(3)
            )
            yield Article(
                title=sentence(rng, event_words, common, 8)[:-1],
                slug=f"{prefix}-{made}",
                summary=sentence(rng, event_words, common, 16),
                body=body,
                source=sources[(event + report) % len(sources)],
                status=Article.Status.PUBLISHED,
                published_at=when + timedelta(minutes=37 * report),
            )
            made += 1


def cpu_with_workers() -> float:
    """CPU seconds of this process and of its finished children (the --jobs workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def quality(path=evaluation.DATA, days_ago: int = 400) -> dict:
    t0 = timezone.now() - timedelta(days=days_ago)
    labels = evaluation.load(t0, path=path)  # autocommit: each save enqueues its task at once
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    predicted = dict(
        StoryMembership.objects.filter(article_id__in=labels).values_list("article_id", "story_id")
    )
    return {**evaluation.pairwise(labels, predicted), **point_checks(labels, predicted)}


def point_checks(labels: dict, predicted: dict) -> dict:
    """Key points of the set: how many, how many repeat a sentence of their article's
    summary or first paragraph (token Jaccard >= 0.6), how many pairs of one story's
    points are near-duplicates (token Jaccard >= 0.6)."""
    near = keypoints.DUPLICATE_JACCARD
    articles = Article.objects.in_bulk(list(labels))
    points = KeyPoint.objects.filter(article_id__in=list(labels)).values_list(
        "article_id", "sentence"
    )
    repeats = 0
    for article_id, sentence in points:
        article = articles[article_id]
        lead, _ = keypoints.lead_and_body(article.summary, article.body)
        repeats += any(keypoints.token_jaccard(sentence, s) >= near for s in lead)
    story_points: dict[int, list[str]] = {}
    for story_id, sentence in KeyPoint.objects.filter(
        story_id__in=set(predicted.values())
    ).values_list("story_id", "sentence"):
        story_points.setdefault(story_id, []).append(sentence)
    twins = sum(
        keypoints.token_jaccard(a, b) >= near
        for found in story_points.values()
        for a, b in combinations(found, 2)
    )
    return {
        "article_points": len(points),
        "repeats_opening": repeats,
        "story_points": sum(len(f) for f in story_points.values()),
        "story_twins": twins,
    }


def per_new_article(new: int, stored: int, seed: int) -> None:
    """Group `new` synthetic articles one by one with services.assign_article (what the
    task runs; a report joins the story an earlier new one started), then roll them all
    back so that a later step measures the same kind of batch."""
    articles = list(synthetic(new, timezone.now() - timedelta(hours=2), seed=seed))
    cpu_ms, wall_ms = [], []
    with transaction.atomic():
        for i, article in enumerate(articles):
            article.slug = f"new-{seed}-{i}"
            Article.objects.bulk_create([article])  # no signal: time assign_article alone
            c, w = time.process_time(), time.perf_counter()
            services.assign_article(article.pk)
            cpu_ms.append((time.process_time() - c) * 1000)
            wall_ms.append((time.perf_counter() - w) * 1000)
        transaction.set_rollback(True)
    cpu_ms.sort()
    print(
        f"Per new article at {stored} stored ({connection.vendor}): CPU median "
        f"{statistics.median(cpu_ms):.1f} ms, p95 {cpu_ms[int(len(cpu_ms) * 0.95)]:.1f} ms; "
        f"wall median {statistics.median(wall_ms):.1f} ms",
        flush=True,
    )


def scale(totals: list[int], new: int) -> None:
    """Store synthetic articles with the bulk path up to each of `totals` (one every five
    minutes, ending now), measuring `new` new articles at each: whether the cost grows
    with the articles stored."""
    last = totals[-1]
    t0 = timezone.now() - timedelta(minutes=5 * last + 600)
    stream = synthetic(last, t0)
    for step, total in enumerate(totals):
        started, stored = time.monotonic(), Article.objects.count()
        batch = []
        for article in itertools.islice(stream, total - (totals[step - 1] if step else 0)):
            batch.append(article)
            if len(batch) == 2000:
                bulk.fill_index(Article.objects.bulk_create(batch))
                batch = []
        if batch:
            bulk.fill_index(Article.objects.bulk_create(batch))
        stored = Article.objects.count()
        print(
            f"Stored synthetic articles with the bulk path up to {total} in "
            f"{time.monotonic() - started:.0f} s: {stored} articles, "
            f"{LshBand.objects.count()} LSH band rows",
            flush=True,
        )
        per_new_article(new, stored, seed=99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--articles",
        default="100000",
        help="synthetic articles stored for the per-article figure; a comma list "
        "(20000,50000) measures at each total",
    )
    parser.add_argument("--recompute", type=int, default=2_000)
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2, help="recompute_stories --jobs")
    parser.add_argument("--quality-only", action="store_true", help="only the labelled sets")
    parser.add_argument(
        "--scale-only", action="store_true", help="only the per-new-article figure at scale"
    )
    args = parser.parse_args()
    # As in production: with DEBUG on, every query is also logged (a third more CPU here).
    settings.DEBUG = False
    with throwaway_database("bench_stories", sqlite_file=False):
        if args.scale_only:
            scale([int(n) for n in args.articles.split(",")], args.new)
            return
        for name, path, days_ago in (
            ("labelled (tuning) set", evaluation.DATA, 400),
            ("second tuning set", evaluation.TUNING2, 350),
            ("third tuning set", evaluation.TUNING3, 450),
            ("fourth tuning set", evaluation.TUNING4, 500),
            ("held-out set", evaluation.HELDOUT, 300),
            ("second held-out set", evaluation.HELDOUT2, 200),
            ("third held-out set", evaluation.HELDOUT3, 150),
            ("fourth held-out set", evaluation.HELDOUT4, 100),
            ("fifth held-out set", evaluation.HELDOUT5, 50),
            ("sixth held-out set", evaluation.HELDOUT6, 25),
            ("seventh held-out set", evaluation.HELDOUT7, 12),
            ("eighth held-out set", evaluation.HELDOUT8, 40),
            ("ninth held-out set", evaluation.HELDOUT9, 75),
        ):
            scores, items = quality(path, days_ago), evaluation.items(path)
            print(
                f"Quality on the {name} ({len(items)} articles, "
                f"{len({i.event for i in items})} events): precision "
                f"{scores['precision']:.3f}, recall {scores['recall']:.3f} "
                f"(tp {scores['tp']}, fp {scores['fp']}, fn {scores['fn']}); key points: "
                f"{scores['article_points']} of articles, {scores['repeats_opening']} "
                f"repeating an opening sentence; {scores['story_points']} of stories, "
                f"{scores['story_twins']} near-duplicate pairs",
                flush=True,
            )
        if args.quality_only:
            return
        t0 = timezone.now() - timedelta(days=900)
        Article.objects.bulk_create(list(synthetic(args.recompute, t0, seed=3, prefix="r")))
        started, cpu = time.monotonic(), cpu_with_workers()
        call_command(
            "recompute_stories", "--restart", "--jobs", str(args.jobs), stdout=open(os.devnull, "w")
        )
        wall, cpu = time.monotonic() - started, cpu_with_workers() - cpu
        total = Article.objects.count()
        print(
            f"Full recompute of {total} articles: {wall:.0f} s wall, {cpu:.0f} s CPU "
            f"({cpu / total * 1000:.1f} ms CPU per article, workers included); "
            f"{Story.objects.count()} stories",
            flush=True,
        )
        members = dict(StoryMembership.objects.values_list("article_id", "story_id"))
        checks = point_checks(dict.fromkeys(members, ""), members)
        print(
            f"Key points after the recompute: {checks['article_points']} of articles, "
            f"{checks['repeats_opening']} repeating an opening sentence; "
            f"{checks['story_points']} of stories, {checks['story_twins']} near-duplicate pairs",
            flush=True,
        )
        scale([int(n) for n in args.articles.split(",")], args.new)


if __name__ == "__main__":
    main()
