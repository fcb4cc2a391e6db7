"""Fit the grouping blend (stories/blend.py) on the tuning sets, and only on them.

    python bench/calibrate_stories.py

In a throw-away database, each tuning set (stories/eval_set.txt, stories/eval_tuning2.txt,
each in a window of its own) is fingerprinted in
publication order, as the live path does; for each article, its LSH candidates among the
earlier ones are measured exactly as matching measures them (matching.pair_measures:
TF-IDF cosine, embedding cosine, hours apart). A logistic regression is fitted on those
pairs (same event or not) for a few regularisation strengths; for each, the grouping
that would result (the near-duplicate rule, then the most likely earlier article, joined
when its probability reaches a bar) is scored by pairwise precision and recall over a
grid of bars. Copy the chosen weights into stories/blend.py and the bar into
STORY_MATCH_PROBABILITY. The held-out sets are never read here.

Then two measures of how far these measures can go, still on the tuning sets alone:
*cross-fitted* grouping (the blend fitted on one tuning set, the other grouped with it:
an estimate of how it generalises, without a held-out set), and *separability*: for each
measure, and for the blend fitted in sample, the best pairwise precision any single bar
gives at pair recall 0.92 (how many pairs of different events score above the same-event
pairs that recall needs).
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.text import slugify  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from articles.models import Article, Source  # noqa: E402
from bench.database import throwaway_database  # noqa: E402
from stories import blend, evaluation, matching, services  # noqa: E402
from stories.models import ArticleFingerprint  # noqa: E402
from stories.text import jaccards  # noqa: E402

MEASURES = tuple(blend.WEIGHTS)  # in the order blend.py lists them
BARS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MEAN_BARS = (0.0, 0.2, 0.3, 0.4, 0.5)


def measured_pairs(path, days_ago) -> tuple[list[int], dict[int, str], list[dict]]:
    """(article ids in order, labels, one dict per candidate pair with its measures)."""
    t0 = timezone.now() - timedelta(days=days_ago)
    order, labels, pairs = [], {}, []
    for n, item in enumerate(sorted(evaluation.items(path), key=lambda i: i.hours)):
        source, _ = Source.objects.get_or_create(
            slug=slugify(item.source), defaults={"name": item.source}
        )
        article = Article(
            title=item.title,
            slug=f"calibrate-{path.stem}-{n}",
            summary=item.summary,
            body="".join(f"<p>{p}</p>" for p in item.paragraphs),
            source=source,
            status=Article.Status.PUBLISHED,
            published_at=t0 + timedelta(hours=item.hours),
        )
        Article.objects.bulk_create([article])  # no signal: nothing grouped here
        features = services.save_fingerprint(article)
        ids = set(matching.candidates(article.pk, article.published_at, features.keys))
        rows = list(
            ArticleFingerprint.objects.filter(
                article_id__in=order, published_at__range=matching._window(article.published_at)
            ).values(*matching.ROW_FIELDS)
        )
        labels[article.pk] = item.event
        if rows:
            measures = matching.pair_measures(article.published_at, features, rows)
            dup = jaccards([bytes(r["dup_signature"]) for r in rows], features.dup_signature)
            for k, row in enumerate(rows):
                pairs.append(
                    {
                        "a": article.pk,
                        "b": row["article_id"],
                        "x": [measures[m][k] for m in MEASURES],
                        "dup": dup[k],
                        "same": labels[row["article_id"]] == item.event,
                        "candidate": row["article_id"] in ids,
                    }
                )
        order.append(article.pk)
    return order, labels, pairs


def grouped(order, pairs, weights, intercept, bar, mean_bar) -> dict[int, int]:
    """The story of each article, as matching would form it with these weights: the
    near-duplicate rule, else the candidate story whose most likely article reaches
    `bar`, provided its articles' mean probability reaches `mean_bar`. A pair marked
    `veto` (bench/stories_guard.py) counts as probability 0."""
    by_article: dict[int, list[dict]] = {}
    for pair in pairs:
        by_article.setdefault(pair["a"], []).append(pair)
    story: dict[int, int] = {}
    for pk in order:
        found = by_article.get(pk, [])
        near = [p for p in found if p["candidate"]]
        dup = max(near, key=lambda p: p["dup"], default=None)
        if dup and dup["dup"] >= settings.STORY_MINHASH_THRESHOLD:
            story[pk] = story[dup["b"]]
            continue
        stories = {story[p["b"]] for p in near}
        scores: dict[int, list[float]] = {s: [] for s in stories}
        for p in found:
            if story[p["b"]] in scores and p.get("veto"):
                scores[story[p["b"]]].append(0.0)
            elif story[p["b"]] in scores:
                z = intercept + float(np.dot(weights, p["x"]))
                scores[story[p["b"]]].append(1 / (1 + np.exp(-z)))
        best = max(scores, key=lambda s: max(scores[s]), default=None)
        joins = (
            best is not None
            and max(scores[best]) >= bar
            and float(np.mean(scores[best])) >= mean_bar
        )
        story[pk] = best if joins else pk
    return story


def fitted(pairs, c) -> tuple[np.ndarray, float]:
    x = np.array([p["x"] for p in pairs])
    model = LogisticRegression(C=c, max_iter=5000).fit(x, np.array([p["same"] for p in pairs]))
    return model.coef_[0], float(model.intercept_[0])


def cross_fitted(sets: dict, c: float = 10) -> None:
    """Fit on one tuning set, group the other with that blend (bar 0.4, story mean 0.5)."""
    for fit_on, test_on in ((0, 1), (1, 0)):
        (_, _, fit_pairs), (order, labels, pairs) = sets[fit_on], sets[test_on]
        weights, intercept = fitted(fit_pairs, c)
        s = evaluation.pairwise(labels, grouped(order, pairs, weights, intercept, 0.4, 0.5))
        print(
            f"Cross-fitted C={c}: fitted on {evaluation.TUNING[fit_on].name}, "
            f"{evaluation.TUNING[test_on].name} grouped at precision {s['precision']:.3f}, "
            f"recall {s['recall']:.3f}"
        )


def separability(pairs, recall: float = 0.92) -> None:
    """The best pairwise precision one bar on each measure gives at this pair recall."""
    x = np.array([p["x"] for p in pairs])
    y = np.array([p["same"] for p in pairs])
    weights, intercept = fitted(pairs, 10)
    scores = {m: x[:, i] * (-1 if m == "days_apart" else 1) for i, m in enumerate(MEASURES)}
    scores["blend (in sample)"] = intercept + x @ weights
    for name, score in scores.items():
        ranked = y[np.argsort(-score)]
        k = int(np.argmax(np.cumsum(ranked) >= recall * y.sum())) + 1
        false = k - int(ranked[:k].sum())
        print(
            f"Separability, {name}: precision {1 - false / k:.3f} at pair recall {recall} "
            f"({false} pairs of different events above the bar)"
        )


def main() -> None:
    settings.DEBUG = False
    with throwaway_database("bench_calibrate", sqlite_file=False):
        order, labels, pairs, sets = [], {}, [], []
        for path, days_ago in zip(evaluation.TUNING, (400, 350), strict=True):
            o, la, pa = measured_pairs(path, days_ago)
            order, pairs = order + o, pairs + pa
            labels |= {pk: f"{path.stem}:{event}" for pk, event in la.items()}
            sets.append((o, la, pa))
    x = np.array([p["x"] for p in pairs])
    y = np.array([p["same"] for p in pairs])
    print(f"{len(order)} articles, {len(pairs)} candidate pairs, {int(y.sum())} of one event")
    for c in (1, 3, 10, 30, 100):
        model = LogisticRegression(C=c, max_iter=5000).fit(x, y)
        weights, intercept = model.coef_[0], float(model.intercept_[0])
        named = ", ".join(f"{m} {w:.2f}" for m, w in zip(MEASURES, weights, strict=True))
        print(f"C={c}: {named}, intercept {intercept:.2f}")
        for mean_bar in MEAN_BARS:
            cells = []
            for bar in BARS:
                story = grouped(order, pairs, weights, intercept, bar, mean_bar)
                s = evaluation.pairwise(labels, story)
                cells.append(f"{bar}: {s['precision']:.3f}/{s['recall']:.3f}")
            print(f"   mean {mean_bar}; bar: precision/recall  " + "  ".join(cells))
    cross_fitted(sets)
    separability(pairs)


if __name__ == "__main__":
    main()
