"""Which story a new article belongs to: layered, explainable evidence.

1. Candidates: articles sharing LSH band keys with it (near-duplicate text bands, and one
   key per title-and-lead word), published within STORY_WINDOW_HOURS of it. One indexed
   query on LshBand; the article table is never scanned.
2. Near-duplicate text: estimated Jaccard similarity of the word 3-gram MinHash
   signatures >= STORY_MINHASH_THRESHOLD (identical or lightly edited wire copy).
3. Same event in other words: TF-IDF cosine between the article's title-and-lead words
   and each candidate story's (all its articles' words together). The IDF counts how
   many articles of the same window use a word, so a town's name that is in the news
   all week weighs little. The bar is STORY_TFIDF_THRESHOLD for reports within hours of
   the story's articles, rising to STORY_TFIDF_THRESHOLD_LATE at
   STORY_TFIDF_RAMP_HOURS apart: a late article must say more of the same to join.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db.models import Count, Subquery

from .models import ArticleFingerprint, LshBand, StoryMembership
from .text import MAX_TERMS, Features, jaccards, term_key
from .vectors import tfidf_rows

MAX_STORY_ROWS = 400  # story-mates read per assignment, newest first


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
    members = {
        m["article_id"]: m
        for m in StoryMembership.objects.filter(story_id__in=Subquery(stories))
        .exclude(article_id=article_id)
        .values("article_id", "story_id", "evidence")[: MAX_STORY_ROWS * 4]
    }
    rows = ArticleFingerprint.objects.filter(article_id__in=list(members)).values(
        "article_id", "published_at", "dup_signature", "terms"
    )
    found = []
    for row in rows:
        member = members[row["article_id"]]
        # An article an editor split out never regroups with the articles it was split from.
        if article_id in (member["evidence"] or {}).get("apart_from", []):
            continue
        found.append({**row, "story_id": member["story_id"]})
    found.sort(key=lambda r: r["published_at"], reverse=True)
    return found[:MAX_STORY_ROWS]


def _idf(when: datetime, vocabulary: dict[str, int], own: set[str]) -> np.ndarray:
    """Smoothed IDF of the article's own words among the window's articles.

    Only the article's words are counted (one indexed query of at most MAX_TERMS keys);
    a word only the stories use gets the mean weight of the article's words.
    """
    window = _window(when)
    keys = {term_key(t): vocabulary[t] for t in own if t in vocabulary}
    counts = dict(
        LshBand.objects.filter(key__in=list(keys), published_at__range=window)
        .values("key")
        .annotate(n=Count("id"))
        .values_list("key", "n")
    )
    total = ArticleFingerprint.objects.filter(published_at__range=window).count() + 1
    own_idf = {i: math.log((total + 1) / (counts.get(k, 0) + 1)) + 1 for k, i in keys.items()}
    typical = float(np.mean(list(own_idf.values()))) if own_idf else 1.0
    idf = np.full(len(vocabulary), typical)
    for i, value in own_idf.items():
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


def _similar(when: datetime, features: Features, rows: list[dict]) -> Match | None:
    by_story: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_story[row["story_id"]].append(row)
    story_ids = list(by_story)
    docs = [features.terms_text.split()] + [
        " ".join(r["terms"] for r in by_story[s]).split() for s in story_ids
    ]
    own = set(list(dict.fromkeys(features.terms_text.split()))[:MAX_TERMS])
    try:
        # log(1 + tf), with the window's document frequencies instead of these few
        # documents' (stories/vectors.py says why).
        vectors = tfidf_rows(docs, sublinear="log1p", idf=lambda v: _idf(when, v, own))
    except ValueError:  # no terms at all
        return None
    cosines = vectors[1:] @ vectors[0]
    lo = settings.STORY_TFIDF_THRESHOLD
    hi = settings.STORY_TFIDF_THRESHOLD_LATE
    ramp = settings.STORY_TFIDF_RAMP_HOURS
    best = None
    for story_id, cosine in zip(story_ids, cosines, strict=True):
        if cosine < lo:  # below the lowest bar: no need for the gap
            continue
        gap = min(abs((when - r["published_at"]).total_seconds()) for r in by_story[story_id])
        needed = lo + (hi - lo) * min(1.0, gap / 3600 / ramp)
        if cosine >= needed and (best is None or cosine - needed > best[0]):
            best = (cosine - needed, story_id, float(cosine), needed, gap / 3600)
    if best is None:
        return None
    _, story_id, cosine, needed, hours = best
    own = set(features.terms_text.split())
    story_words = " ".join(r["terms"] for r in by_story[story_id]).split()
    shared = [w for w in dict.fromkeys(story_words) if w in own][:8]
    closest = max(by_story[story_id], key=lambda r: len(own & set(r["terms"].split())))
    return Match(
        story_id,
        StoryMembership.Reason.SIMILAR,
        {
            "matched": closest["article_id"],
            "cosine": round(cosine, 3),
            "needed": round(needed, 3),
            "hours_apart": round(hours, 1),
            "shared_terms": shared,
        },
    )
