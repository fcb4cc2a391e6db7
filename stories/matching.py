"""Which story a new article belongs to: layered, explainable evidence.

1. Candidates: articles sharing LSH band keys with it (near-duplicate text bands, and one
   key per title-and-lead word), published within STORY_WINDOW_HOURS of it. One indexed
   query on LshBand; the article table is never scanned.
2. Near-duplicate text: estimated Jaccard similarity of the word 3-gram MinHash
   signatures >= STORY_MINHASH_THRESHOLD (identical or lightly edited wire copy).
3. Same event in other words: for each article of the candidate stories, the
   probability that it tells the same event (stories/blend.py: a logistic blend, fitted
   on the labelled set, of the TF-IDF cosine of the title-and-lead words, the cosine of
   their static word embeddings and the days apart). The IDF counts how many articles of
   the same window use a word, so a town's name that is in the news all week weighs
   little. The article joins the story of the most likely one when that probability
   reaches STORY_MATCH_PROBABILITY and the mean over the story's articles reaches
   STORY_MATCH_MEAN_PROBABILITY (one close article cannot pull a new report into a
   story the rest of which tells another event); the evidence keeps every measure and
   its weight.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain, count

import numpy as np
from django.conf import settings
from django.db.models import Count, Subquery
from django.db.models.fields.json import KT

from . import blend, embeddings
from .embeddings import DIMENSIONS
from .models import ArticleFingerprint, LshBand, StoryMembership
from .text import MAX_TERMS, Features, jaccards, term_key

MAX_STORY_ROWS = 400  # story-mates read per assignment, newest first
# What matching reads of each story-mate's fingerprint (calibration too).
ROW_FIELDS = (
    "article_id",
    "published_at",
    "dup_signature",
    "terms",
    "embedding",
    "names",
    "quantities",
    "title_terms",
    "title_args",
    "title_embeddings",
)


@dataclass
class Match:
    story_id: int
    reason: str
    evidence: dict = field(default_factory=dict)


def _window(when: datetime) -> tuple[datetime, datetime]:
    hours = timedelta(hours=settings.STORY_WINDOW_HOURS)
    return when - hours, when + hours


def candidates(article_id: int, when: datetime, keys: list[int]) -> list[int]:
    """Ids of articles sharing the most band keys with these, within the time window."""
    rows = (
        LshBand.objects.filter(key__in=keys, published_at__range=_window(when))
        .exclude(article_id=article_id)
        .values("article_id")
        .annotate(shared=Count("id"))
        .filter(shared__gte=settings.STORY_MIN_SHARED_KEYS)
        .order_by("-shared", "-article_id")[: settings.STORY_MAX_CANDIDATES]
    )
    return [r["article_id"] for r in rows]


def _story_rows(article_id: int, ids: list[int]) -> list[dict]:
    """Fingerprints of the candidates and of every article in their stories.

    Two queries driven by the membership indexes: written as one join, SQLite may walk the
    whole fingerprint table in date order instead.
    """
    stories = StoryMembership.objects.filter(article_id__in=ids).values("story_id")
    # Only the evidence's "apart_from" (an editor's split), as JSON text: decoding every
    # member's whole evidence (a kilobyte each once grouped by the blend) cost more.
    members = {
        m["article_id"]: m
        for m in StoryMembership.objects.filter(story_id__in=Subquery(stories))
        .exclude(article_id=article_id)
        .values("article_id", "story_id", apart_from=KT("evidence__apart_from"))[
            : MAX_STORY_ROWS * 4
        ]
    }
    rows = ArticleFingerprint.objects.filter(article_id__in=list(members)).values(*ROW_FIELDS)
    found = []
    for row in rows:
        member = members[row["article_id"]]
        # An article an editor split out never regroups with the articles it was split from.
        if member["apart_from"] and article_id in json.loads(member["apart_from"]):
            continue
        found.append({**row, "story_id": member["story_id"]})
    found.sort(key=lambda r: r["published_at"], reverse=True)
    return found[:MAX_STORY_ROWS]


def _own_idf(when: datetime, own: set[str]) -> dict[str, float]:
    """Smoothed IDF of the article's own words among the window's articles: two indexed
    queries (at most MAX_TERMS keys)."""
    window = _window(when)
    keys = {term_key(t): t for t in own}
    counts = dict(
        LshBand.objects.filter(key__in=list(keys), published_at__range=window)
        .values("key")
        .annotate(n=Count("id"))
        .values_list("key", "n")
    )
    total = ArticleFingerprint.objects.filter(published_at__range=window).count() + 1
    return {t: math.log((total + 1) / (counts.get(k, 0) + 1)) + 1 for k, t in keys.items()}


def _idf(
    own_idf: dict[str, float], vocabulary: dict[str, int], present: np.ndarray | None = None
) -> np.ndarray:
    """The IDF of a vocabulary's columns: the article's words their own; any other word
    the mean weight of the article's words in this vocabulary (of those `present` only,
    when given: a mask of the columns that count)."""
    mine = {
        vocabulary[t]: v
        for t, v in own_idf.items()
        if t in vocabulary and (present is None or present[vocabulary[t]])
    }
    typical = float(np.mean(list(mine.values()))) if mine else 1.0
    idf = np.full(len(vocabulary), typical)
    for i, value in mine.items():
        idf[i] = value
    return idf


def find_match(article_id: int, when: datetime, features: Features) -> Match | None:
    """The story this article joins, with the evidence, or None for a new story."""
    ids = candidates(article_id, when, features.keys)
    if not ids:
        return None
    rows = _story_rows(article_id, ids)
    if not rows:
        return None
    scores = jaccards([bytes(r["dup_signature"]) for r in rows], features.dup_signature)
    dup, score = rows[int(np.argmax(scores))], float(scores.max())
    if score >= settings.STORY_MINHASH_THRESHOLD:
        return Match(
            dup["story_id"],
            StoryMembership.Reason.DUPLICATE,
            {"matched": dup["article_id"], "jaccard": round(score, 3)},
        )
    return _similar(when, features, rows)


def pair_measures(when: datetime, features: Features, rows: list[dict]) -> dict | None:
    """The blend's measures of the article against each row, as arrays (blend.py says
    what each is); None when no text has any term. Calibration uses it too."""
    names = [set(features.names.split())] + [set(r["names"].split()) for r in rows]
    docs = [features.terms_text.split()] + [r["terms"].split() for r in rows]
    flat = list(chain.from_iterable(docs))
    if not flat:  # no terms at all
        return None
    # Columns in order of first use; the loops run in C (a comprehension over the 400
    # texts' words cost 2 ms an article).
    vocabulary = dict(zip(dict.fromkeys(flat), count()))
    cells = np.repeat(np.arange(len(docs), dtype=np.int64), [len(d) for d in docs]) * len(
        vocabulary
    ) + np.fromiter(map(vocabulary.__getitem__, flat), dtype=np.int64, count=len(flat))
    # Sparse: (text, word) cells with their counts; `what` leaves out each text's own
    # names and numbers.
    keys, counts = np.unique(cells, return_counts=True)
    row, col = np.divmod(keys, len(vocabulary))
    named = {
        i * len(vocabulary) + vocabulary[n]
        for i, f in enumerate(names)
        for n in f
        if n in vocabulary
    }
    kept = ~np.isin(keys, np.fromiter(named, dtype=np.int64, count=len(named)))
    own_idf = _own_idf(when, set(list(dict.fromkeys(docs[0]))[:MAX_TERMS]))
    # log(1 + tf), with the window's document frequencies instead of these few
    # documents' (stories/vectors.py says why).
    weights = np.log1p(counts) * _idf(own_idf, vocabulary)[col]
    present = np.zeros(len(vocabulary), dtype=bool)
    present[col[kept]] = True
    what_idf = _idf(own_idf, vocabulary, present)
    what_weights = np.where(kept, np.log1p(counts) * what_idf[col], 0.0)
    hours = np.array([abs((when - r["published_at"]).total_seconds()) / 3600 for r in rows])
    return {
        "cosine": _cosines_with_first(row, col, weights, len(docs), len(vocabulary)),
        "embedding": embeddings.cosines(
            [bytes(r["embedding"] or b"") for r in rows], features.embedding
        ),
        "days_apart": hours / 24,
        "names": np.array([_jaccard(names[0], found) for found in names[1:]]),
        "what": _cosines_with_first(row, col, what_weights, len(docs), len(vocabulary)),
        **_title_measures(features, rows, hours / 24),
    }


def _title_measures(features: Features, rows: list[dict], days: np.ndarray) -> dict:
    """Blend 4's evidence (blend.py): quantities, and the titles' words, embeddings and
    arguments."""
    size = DIMENSIONS * 2  # float16 values: two vectors
    stored = [bytes(r["title_embeddings"] or b"") for r in rows]
    title = [s[:size] if len(s) == size * 2 else b"" for s in stored]
    what = [s[size:] if len(s) == size * 2 else b"" for s in stored]
    mine = features.title_embeddings
    own_q = _quantities(features.quantities)
    own_terms = set(features.title_terms.split())
    own_subject, *own_acts = features.title_args.split() or ["-"]
    shared, clashes, words, arguments, acts = [], [], [], [], []
    for r in rows:
        q = _quantities(r["quantities"])
        shared.append(min(len(own_q & q), 2))
        clashes.append(min(_clashes(own_q, q), 2))
        words.append(_jaccard(own_terms, set(r["title_terms"].split())))
        subject, *their_acts = r["title_args"].split() or ["-"]
        same = own_subject != "-" and own_subject == subject
        arguments.append(float(same and bool(set(own_acts) & set(their_acts))))
        acts.append(_jaccard(set(own_acts), set(their_acts)))
    return {
        "quantities": np.array(shared, dtype=float) * np.exp(-days),
        "quantity_clash": np.array(clashes, dtype=float),
        "title_embedding": embeddings.cosines(title, mine[:DIMENSIONS]),
        "title_what_embedding": embeddings.cosines(what, mine[DIMENSIONS:]),
        "title_words": np.array(words),
        "subject_and_act": np.array(arguments),
        "acts": np.array(acts),
    }


def _quantities(text: str) -> set[tuple[str, str]]:
    return {tuple(q.split("|", 1)) for q in text.split()}


def _clashes(a: set[tuple[str, str]], b: set[tuple[str, str]]) -> int:
    """How many things both count, with no number in common ("3 dead" against "5 dead")."""
    units = {u for _, u in a} & {u for _, u in b}
    return sum({n for n, x in a if x == u}.isdisjoint({n for n, x in b if x == u}) for u in units)


def _cosines_with_first(row, col, weights, n_rows: int, n_cols: int) -> np.ndarray:
    """Cosine of every text but the first with the first, from sparse (row, col, weight)."""
    first = np.zeros(n_cols)
    first[col[row == 0]] = weights[row == 0]
    norms = np.sqrt(np.bincount(row, weights=weights**2, minlength=n_rows))
    dots = np.bincount(row, weights=weights * first[col], minlength=n_rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        found = dots / (norms * norms[0])
    return np.nan_to_num(found[1:], nan=0.0, posinf=0.0, neginf=0.0)


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _similar(when: datetime, features: Features, rows: list[dict]) -> Match | None:
    """The story of the earlier article most likely to tell the same event (blend.py),
    when that likelihood reaches STORY_MATCH_PROBABILITY and its mean over the story's
    articles reaches STORY_MATCH_MEAN_PROBABILITY."""
    measures = pair_measures(when, features, rows)
    if measures is None:
        return None
    likely = 1 / (1 + np.exp(-blend.logits(measures)))
    best = int(np.argmax(likely))
    story_id = rows[best]["story_id"]
    # The whole story must agree, not one of its articles: the mean over its articles.
    mates = [i for i, r in enumerate(rows) if r["story_id"] == story_id]
    probability, mean = float(likely[best]), float(likely[mates].mean())
    if probability < settings.STORY_MATCH_PROBABILITY:
        return None
    if mean < settings.STORY_MATCH_MEAN_PROBABILITY:
        return None
    row = rows[best]
    own = set(features.terms_text.split())
    shared = [w for w in dict.fromkeys(row["terms"].split()) if w in own][:8]
    terms = blend.logit_terms({k: float(v[best]) for k, v in measures.items()})
    return Match(
        row["story_id"],
        StoryMembership.Reason.SIMILAR,
        {
            "matched": row["article_id"],
            "probability": round(probability, 3),
            "needed": settings.STORY_MATCH_PROBABILITY,
            "story_mean": round(mean, 3),
            "mean_needed": settings.STORY_MATCH_MEAN_PROBABILITY,
            "story_articles": len(mates),
            **{k: round(float(v[best]), 3) for k, v in measures.items()},
            "hours_apart": round(float(measures["days_apart"][best]) * 24, 1),
            "logit_terms": {k: round(v, 2) for k, v in terms.items()},
            "shared_terms": shared,
        },
    )
