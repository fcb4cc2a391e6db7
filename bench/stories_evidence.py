"""Try new grouping evidence on the tuning sets, under the calibration rule (not shipped).

    python bench/stories_evidence.py                  # two tuning sets, every design
    python bench/stories_evidence.py --third-tuning   # with stories/eval_tuning3.txt
    python bench/stories_evidence.py --third-tuning --designs '[["sf_z"]]' \\
        --score HELDOUT,HELDOUT2,HELDOUT3,HELDOUT4,HELDOUT5

Issue 31's fourth pass (docs/stories.md). The tuning sets' candidate pairs are measured
as bench/calibrate_stories.py measures them (matching.pair_measures: blend 4's twelve
measures); each design adds measures to those, computed here from the articles' text:

- sentence alignment with the shipped static embeddings (stories/embeddings.py): the
  title and the first prose sentences (`--sentences`, 5), each embedded as a text is;
  `s_max` the best cosine over sentence pairs, `s_f` a BERTScore-like F (the mean of each
  side's best match, both ways), `s_top2` the mean of the two best pairs; `sw_*` the same
  with each sentence's names and numbers left out;
- `near_in_time`: e^(-hours apart / 12), a proximity-in-time prior;
- relative measures: a pair's embedding cosine, TF-IDF cosine or `s_f` as a z-score
  among the article's LSH candidates (`emb_z`, `cos_z`, `sf_z`: "closer than the rest of
  what it could join"), or its margin over the best other candidate (`*_margin`).

For each design the rule (the strength and bars with the best tuning-set recall whose
precision stays 1.0 at the bar and 0.1 either side; bars 0.3-0.9, story mean 0-0.5,
C 1-100) is applied to all tuning sets together, and the cross-fitted figures printed
(calibrate_stories.cross_fitted's, second tuning set grouped first). `--separability`
prints, instead, the best pair precision at pair recall 0.85, 0.92 and 0.97 of the blend
fitted in sample (C = 10). `--score` names held-out sets (stories.evaluation constants)
to group with the chosen weights, by calibrate's simulation of matching: use it once per
design the rule chose, never to choose.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from articles.models import Article  # noqa: E402
from bench import calibrate_stories as cal  # noqa: E402
from bench.database import throwaway_database  # noqa: E402
from stories import embeddings, evaluation, keypoints  # noqa: E402
from stories.text import content_words, names_and_numbers, stem  # noqa: E402

DAYS_AGO = {
    "DATA": 400,
    "TUNING2": 350,
    "TUNING3": 450,
    "TUNING4": 500,
    "HELDOUT": 300,
    "HELDOUT2": 200,
    "HELDOUT3": 150,
    "HELDOUT4": 100,
    "HELDOUT5": 50,
    "HELDOUT6": 25,
    "HELDOUT7": 12,
    "HELDOUT8": 40,
    "HELDOUT9": 75,
}
DESIGNS = (
    [],
    ["s_max"],
    ["s_f"],
    ["s_top2"],
    ["sw_max"],
    ["sw_f"],
    ["near_in_time"],
    ["s_max", "sw_max"],
    ["s_f", "sw_f"],
    ["sw_max", "near_in_time"],
    ["s_max", "s_f", "sw_max", "sw_f", "near_in_time"],
    ["emb_z"],
    ["emb_margin"],
    ["cos_z"],
    ["sf_z"],
    ["sf_margin"],
    ["emb_z", "emb_margin"],
    ["emb_z", "cos_z"],
    ["emb_z", "sf_z"],
    ["emb_z", "s_max"],
    ["emb_z", "near_in_time"],
)
GRID = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def sentence_vectors(article, sentences: int, drop_names: bool) -> np.ndarray:
    """Unit vectors of the title and the first prose sentences (rows; none if empty)."""
    lead, rest = keypoints.lead_and_body(article.summary, article.body)
    names = set(names_and_numbers(article.title, article.summary, article.body, limit=40))
    found = []
    for sentence in [article.title, *lead, *rest][:sentences]:
        kept = [w for w in content_words(sentence) if not (drop_names and stem(w) in names)]
        vector = embeddings.embed(kept).astype(np.float32)
        if vector.any():
            found.append(vector)
    return np.array(found).reshape(-1, embeddings.DIMENSIONS)


def alignment(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    if not len(a) or not len(b):
        return {"max": 0.0, "f": 0.0, "top2": 0.0}
    sims = a @ b.T
    p, r = sims.max(axis=1).mean(), sims.max(axis=0).mean()
    return {
        "max": float(sims.max()),
        "f": float(2 * p * r / (p + r)) if p + r > 0 else 0.0,
        "top2": float(np.sort(sims.ravel())[::-1][:2].mean()),
    }


def add_measures(pairs: list[dict], sentences: int) -> None:
    """Every new measure of every pair, in pair["extra"]."""
    articles = Article.objects.in_bulk(list({p["a"] for p in pairs} | {p["b"] for p in pairs}))
    tables = {
        tag: {pk: sentence_vectors(a, sentences, drop) for pk, a in articles.items()}
        for tag, drop in (("s", False), ("sw", True))
    }
    hours = cal.MEASURES.index("days_apart")
    for p in pairs:
        p["extra"] = {"near_in_time": float(np.exp(-p["x"][hours] * 24 / 12))}
        for tag, table in tables.items():
            for name, value in alignment(table[p["a"]], table[p["b"]]).items():
                p["extra"][f"{tag}_{name}"] = value
    by_article: dict[int, list[dict]] = {}
    for p in pairs:
        by_article.setdefault(p["a"], []).append(p)
    getters = {
        "emb": lambda p: p["x"][cal.MEASURES.index("embedding")],
        "cos": lambda p: p["x"][cal.MEASURES.index("cosine")],
        "sf": lambda p: p["extra"]["s_f"],
    }
    for found in by_article.values():
        near = [p for p in found if p["candidate"]] or found
        for tag, get in getters.items():
            values = np.array([get(p) for p in near])
            mean, spread, top = values.mean(), values.std(), np.sort(values)[::-1]
            for p in found:
                value = get(p)
                p["extra"][f"{tag}_z"] = float((value - mean) / spread) if spread > 1e-6 else 0.0
                other = top[1] if len(top) > 1 and value >= top[0] - 1e-12 else top[0]
                p["extra"][f"{tag}_margin"] = float(value - other)


def designed(pairs: list[dict], design: list[str], all_candidates: bool = False) -> list[dict]:
    return [
        {
            **p,
            "x": list(p["x"]) + [p["extra"][m] for m in design],
            "candidate": p["candidate"] or all_candidates,
        }
        for p in pairs
    ]


def rule(order, labels, pairs) -> tuple | None:
    """(recall, C, bar, mean bar, weights, intercept) the rule chooses, or None."""
    x, y = np.array([p["x"] for p in pairs]), np.array([p["same"] for p in pairs])
    best = None
    for c in (1, 3, 10, 30, 100):
        model = LogisticRegression(C=c, max_iter=5000).fit(x, y)
        weights, intercept = model.coef_[0], float(model.intercept_[0])
        for mean_bar in cal.MEAN_BARS:
            found = {
                bar: evaluation.pairwise(
                    labels, cal.grouped(order, pairs, weights, intercept, bar, mean_bar)
                )
                for bar in GRID
            }
            for bar in cal.BARS:
                near = [b for b in GRID if abs(b - bar) < 0.11]
                clean = all(found[b]["precision"] == 1.0 for b in near)
                if clean and (best is None or found[bar]["recall"] > best[0] + 1e-9):
                    best = (found[bar]["recall"], c, bar, mean_bar, weights, intercept)
    return best


def separability(pairs) -> str:
    x, y = np.array([p["x"] for p in pairs]), np.array([p["same"] for p in pairs])
    score = LogisticRegression(C=10, max_iter=5000).fit(x, y).decision_function(x)
    ranked = y[np.argsort(-score)]
    cells = []
    for recall in (0.85, 0.92, 0.97):
        k = int(np.argmax(np.cumsum(ranked) >= recall * y.sum())) + 1
        false = k - int(ranked[:k].sum())
        cells.append(f"at {recall}: {1 - false / k:.3f} ({false} false)")
    return "pair precision " + ", ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--designs", default=None, help="JSON list of lists of measures")
    parser.add_argument("--third-tuning", action="store_true")
    parser.add_argument("--sentences", type=int, default=5)
    parser.add_argument("--all-candidates", action="store_true", help="every earlier article")
    parser.add_argument("--separability", action="store_true")
    parser.add_argument("--score", default="", help="held-out sets to group, once")
    args = parser.parse_args()
    designs = json.loads(args.designs) if args.designs else DESIGNS
    names = ["DATA", "TUNING2"] + (["TUNING3"] if args.third_tuning else [])
    settings.DEBUG = False
    measured = {}
    with throwaway_database("bench_evidence", sqlite_file=False):
        for name in names + [s for s in args.score.split(",") if s]:
            path = getattr(evaluation, name)
            order, labels, pairs = cal.measured_pairs(path, DAYS_AGO[name])
            add_measures(pairs, args.sentences)
            measured[name] = (order, {k: f"{name}:{v}" for k, v in labels.items()}, pairs)
    tuning = [measured[n] for n in names]
    order = [pk for o, _, _ in tuning for pk in o]
    labels = {k: v for _, la, _ in tuning for k, v in la.items()}
    pairs = [p for _, _, pa in tuning for p in pa]
    print(f"{len(order)} tuning articles, {len(pairs)} pairs, {sum(p['same'] for p in pairs)} same")
    for design in designs:
        chosen = designed(pairs, design, args.all_candidates)
        if args.separability:
            print(f"{design}: {separability(chosen)}")
            continue
        best = rule(order, labels, chosen)
        if best is None:
            print(f"{design}: no strength and bars keep precision 1.0 around the bar")
            continue
        recall, c, bar, mean_bar, weights, intercept = best
        cross = []
        for fit_on, test_on in ((0, 1), (1, 0)):
            fit = designed(tuning[fit_on][2], design, args.all_candidates)
            w, b = cal.fitted(fit, 10)
            o, la, pa = tuning[test_on]
            s = evaluation.pairwise(
                la, cal.grouped(o, designed(pa, design, args.all_candidates), w, b, 0.4, 0.5)
            )
            cross.append(f"{s['precision']:.3f} / {s['recall']:.3f}")
        each = []
        for name in names + [s for s in args.score.split(",") if s]:
            o, la, pa = measured[name]
            s = evaluation.pairwise(
                la,
                cal.grouped(
                    o, designed(pa, design, args.all_candidates), weights, intercept, bar, mean_bar
                ),
            )
            each.append(f"{name} {s['precision']:.3f} / {s['recall']:.3f} ({s['fp']} fp)")
        print(
            f"{design}: C={c}, bar {bar}, mean {mean_bar}; tuning recall {recall:.3f}; "
            f"cross-fitted {', '.join(cross)}; " + "; ".join(each)
        )
        print(
            "   weights " + ", ".join(f"{w:.2f}" for w in weights) + f", intercept {intercept:.2f}"
        )


if __name__ == "__main__":
    main()
