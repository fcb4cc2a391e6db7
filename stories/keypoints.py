"""Key points: the most central sentences of a text, quoted exactly (TextRank over TF-IDF).

A key point adds something: it comes from the body's prose (stories/prose.py) after the
first paragraph, which the reader is about to read, and repeats neither that paragraph,
the summary nor another point (token Jaccard >= DUPLICATE_JACCARD).

Sentences come from pysbd (or, for plain paragraphs, a split that gives the same
result at a fraction of the cost), paragraph by paragraph, as spans of the original text,
so a key point is always a sentence the article really contains.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pysbd

from . import prose
from .text import words
from .vectors import tfidf

MIN_POINTS, MAX_POINTS = 2, 5
MIN_SENTENCES = 4  # prose sentences after the first paragraph, for any point at all
MIN_WORDS, MAX_CHARS = 5, 400
DUPLICATE_JACCARD = 0.6  # two sentences this alike say the same thing


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


# pysbd costs about 1.5 ms a paragraph. Most paragraphs are plain: every stop is one ".",
# "!" or "?" after a word of two letters or more that is not an abbreviation, followed by
# one space and a capital, and nothing quoted or bracketed. Those are split here, the same way
# pysbd splits them (tests/stories/test_keypoints.py compares the two); anything else
# goes to pysbd.
_ABBREVIATIONS = frozenset(pysbd.lang.english.English.Abbreviation.ABBREVIATIONS)
_STOP = re.compile(r"[.!?]")
_UNSURE = re.compile(r"[\"“”‘(\[{]|(?:^|\s)'|[.!?][^ ]|[.!?] [^A-Z]")
_LAST_WORD = re.compile(r"(?:^|\s)([A-Za-z]+)$")


def _plain_sentences(paragraph: str) -> list[str] | None:
    """The sentences of a plain paragraph, or None when pysbd must decide."""
    if _UNSURE.search(paragraph[:-1] if paragraph[-1] in ".!?" else paragraph):
        return None
    found, start = [], 0
    for stop in _STOP.finditer(paragraph):
        end = stop.end()
        if end < len(paragraph):
            word = _LAST_WORD.search(paragraph, start, stop.start())
            if word is None or len(word[1]) < 2 or word[1].lower() in _ABBREVIATIONS:
                return None
        found.append(paragraph[start:end])
        start = end + 1
    if start < len(paragraph):
        found.append(paragraph[start:])
    return found


def split(paragraph: str) -> list[str]:
    """A paragraph's sentences (whitespace already collapsed to single spaces)."""
    plain = _plain_sentences(paragraph)
    if plain is not None:
        return plain
    return [span.sent.strip() for span in _segmenter().segment(paragraph)]


def _kept(paragraph: str) -> list[str]:
    """A paragraph's sentences long enough, and short enough, to be a point."""
    paragraph = " ".join((paragraph or "").split())
    if not paragraph:
        return []
    return [s for s in split(paragraph) if len(s.split()) >= MIN_WORDS and len(s) <= MAX_CHARS]


def token_set(sentence: str) -> frozenset[str]:
    return frozenset(words(sentence))


def token_jaccard(a: str | frozenset, b: str | frozenset) -> float:
    """Jaccard similarity of two sentences' sets of (lower-cased) words."""
    a = a if isinstance(a, frozenset) else token_set(a)
    b = b if isinstance(b, frozenset) else token_set(b)
    return len(a & b) / len(a | b) if a or b else 0.0


def _repeats(sentence: frozenset, others: list[frozenset]) -> bool:
    return any(token_jaccard(sentence, other) >= DUPLICATE_JACCARD for other in others)


def lead_and_body(summary: str, body: str) -> tuple[list[str], list[str]]:
    """(what the reader meets first: the summary's and the first body paragraph's
    sentences; the other prose sentences of the body that do not repeat them or each
    other), each in the article's order. Only the second may become key points."""
    paragraphs = prose.paragraphs(body)
    opening = (" ".join((p or "").split()) for p in [summary, *paragraphs[:1]])
    lead = [s for p in opening if p for s in split(p) if s]
    seen = [token_set(s) for s in lead]
    found: list[str] = []
    for paragraph in paragraphs[1:]:
        for sentence in _kept(paragraph):
            tokens = token_set(sentence)
            if not _repeats(tokens, seen):
                found.append(sentence)
                seen.append(tokens)
    return lead, found


def sentences(title: str, summary: str, body: str) -> list[str]:
    """The sentences a key point may quote: body prose after the first paragraph."""
    return lead_and_body(summary, body)[1]


def textrank(texts: list[str], damping: float = 0.85, iterations: int = 40) -> np.ndarray:
    """A centrality score per text: PageRank over the cosine similarity of TF-IDF vectors."""
    n = len(texts)
    if n == 0:
        return np.zeros(0)
    try:
        vectors = tfidf(texts, sublinear=True)
    except ValueError:  # only stop words
        return np.full(n, 1.0 / n)
    sim = vectors @ vectors.T
    np.fill_diagonal(sim, 0.0)
    totals = sim.sum(axis=1, keepdims=True)
    # A sentence sharing no words with the others spreads its vote evenly.
    transition = np.where(totals > 0, sim / np.where(totals > 0, totals, 1), 1.0 / n)
    scores = np.full(n, 1.0 / n)
    for _ in range(iterations):
        scores = (1 - damping) / n + damping * transition.T @ scores
    return scores


def how_many(n_sentences: int) -> int:
    """A third of the sentences that may be points, 2 to 5; none when there are fewer than
    MIN_SENTENCES: an article with little beyond its first paragraph has nothing to add."""
    if n_sentences < MIN_SENTENCES:
        return 0
    return max(MIN_POINTS, min(MAX_POINTS, n_sentences // 3))


def article_points(title: str, summary: str, body: str) -> list[tuple[int, str]]:
    """(position in the article, sentence) of its key points, in the article's order.

    Centrality is measured over every sentence (the opening ones included: they say what
    the article is about), but only the body's later prose sentences are picked.
    """
    lead, found = lead_and_body(summary, body)
    k = how_many(len(found))
    if not k:
        return []
    opening = [s for s in lead if len(s.split()) >= MIN_WORDS]
    scores = textrank(opening + found)[len(opening) :]
    best = sorted(np.argsort(-scores, kind="stable")[:k])
    return [(int(i), found[i]) for i in best]


def _clusters(texts: list[str]) -> list[list[int]]:
    """Near-duplicate sentences (token Jaccard >= DUPLICATE_JACCARD) grouped, each group
    under its first (earliest) sentence, in order of that first sentence."""
    groups: list[list[int]] = []
    heads: list[frozenset] = []
    for i, text in enumerate(texts):
        tokens = token_set(text)
        for group, head in zip(groups, heads, strict=True):
            if token_jaccard(tokens, head) >= DUPLICATE_JACCARD:
                group.append(i)
                break
        else:
            groups.append([i])
            heads.append(tokens)
    return groups


def story_points(candidates: list[tuple[int, str]], limit: int = MAX_POINTS) -> list[list[int]]:
    """The story's points from its articles' (article_id, sentence) pairs, earliest first.

    Near-duplicates across sources are one point: the earliest sentence is quoted, the
    others name the sources that also reported it. Returns, per point, the indexes of the
    quoted pair then of its near-duplicates. Points are the most central (TextRank, a
    point several sources made counting more); one too close to a point already chosen
    (cosine > 0.6, or token Jaccard >= 0.6) is skipped; at most two quote one article.
    """
    if not candidates:
        return []
    groups = _clusters([s for _, s in candidates])
    texts = [candidates[g[0]][1] for g in groups]
    sources = [len({candidates[i][0] for i in g}) for g in groups]
    scores = textrank(texts) * np.sqrt(sources)
    try:
        vectors = tfidf(texts)
    except ValueError:
        return groups[:limit]
    chosen: list[int] = []
    per_article: dict[int, int] = {}
    for i in np.argsort(-scores, kind="stable"):
        article_id = candidates[groups[i][0]][0]
        if per_article.get(article_id, 0) >= 2:
            continue
        if chosen and (vectors[chosen] @ vectors[i].T).max() > 0.6:
            continue
        if any(token_jaccard(texts[i], texts[c]) >= DUPLICATE_JACCARD for c in chosen):
            continue
        chosen.append(int(i))
        per_article[article_id] = per_article.get(article_id, 0) + 1
        if len(chosen) == limit:
            break
    return [groups[i] for i in chosen]
