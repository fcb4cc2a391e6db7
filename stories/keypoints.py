"""Key points: the most central sentences of a text, quoted exactly (TextRank over TF-IDF).

Sentences come from pysbd (or, for plain paragraphs, a split that gives the same
result at a fraction of the cost), paragraph by paragraph, as spans of the original text,
so a key point is always a sentence the article really contains.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pysbd

from .text import plain_text
from .vectors import tfidf

MIN_POINTS, MAX_POINTS = 3, 5
MIN_WORDS, MAX_CHARS = 5, 400
_PARAGRAPH = re.compile(r"</(?:p|h[1-6]|li|blockquote)>|<br\s*/?>", re.IGNORECASE)


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


def sentences(title: str, summary: str, body: str) -> list[str]:
    """The article's sentences in order: summary first, then the body's paragraphs."""
    found: list[str] = []
    paragraphs = [summary, *(plain_text(p) for p in _PARAGRAPH.split(body or ""))]
    for paragraph in paragraphs:
        paragraph = " ".join((paragraph or "").split())
        if not paragraph:
            continue
        for sentence in split(paragraph):
            if len(sentence.split()) >= MIN_WORDS and len(sentence) <= MAX_CHARS:
                if sentence not in found:
                    found.append(sentence)
    return found


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
    """3 to 5 points; none for a text too short to summarise (fewer than 4 sentences)."""
    if n_sentences < MIN_POINTS + 1:
        return 0
    return max(MIN_POINTS, min(MAX_POINTS, n_sentences // 3))


def article_points(title: str, summary: str, body: str) -> list[tuple[int, str]]:
    """(position in the article, sentence) of its key points, in the article's order."""
    found = sentences(title, summary, body)
    k = how_many(len(found))
    if not k:
        return []
    scores = textrank(found)
    best = sorted(np.argsort(-scores, kind="stable")[:k])
    return [(int(i), found[i]) for i in best]


def story_points(candidates: list[tuple[int, str]], limit: int = MAX_POINTS) -> list[int]:
    """Indexes of the most central (article_id, sentence) pairs across a story's articles.

    A sentence too close to one already chosen (cosine > 0.6) is skipped, so the points
    say different things; at most two come from the same article.
    """
    if not candidates:
        return []
    texts = [s for _, s in candidates]
    scores = textrank(texts)
    try:
        vectors = tfidf(texts)
    except ValueError:
        return list(range(min(limit, len(texts))))
    chosen: list[int] = []
    per_article: dict[int, int] = {}
    for i in np.argsort(-scores, kind="stable"):
        article_id = candidates[i][0]
        if per_article.get(article_id, 0) >= 2:
            continue
        if chosen and (vectors[chosen] @ vectors[i].T).max() > 0.6:
            continue
        chosen.append(int(i))
        per_article[article_id] = per_article.get(article_id, 0) + 1
        if len(chosen) == limit:
            break
    return chosen
