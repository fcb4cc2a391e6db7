"""The one TF-IDF of stories.

Key points (the sentences of one article), related articles (title and summary of a page
of candidates) and grouping (an article's terms against its candidate stories' terms) all
weigh words as scikit-learn's TfidfVectorizer does: smooth IDF, optionally sublinear term
frequency, rows of unit length. For the handful of texts each call has,
building a vectorizer cost more than these sums (tests/stories/test_keypoints.py compares
the two). Grouping brings its own IDF (the window's document frequencies, not its few
documents') and its own sublinear frequency, log(1 + tf): its thresholds were tuned on it,
and with scikit-learn's 1 + log(tf) the held-out set's precision fell from 1.0 to 0.78.
One stop-word list, `text.STOPWORDS`, for every tokenizer of stories.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from .text import STOPWORDS

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


def tokens(text: str) -> list[str]:
    """The words of a text as TfidfVectorizer(stop_words=STOPWORDS) sees them."""
    return [w for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS]


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1)


def tfidf_rows(
    docs: list[list[str]],
    *,
    sublinear: str | None = None,
    idf: Callable[[dict[str, int]], np.ndarray] | None = None,
) -> np.ndarray:
    """Unit TF-IDF rows of tokenized documents. `sublinear`: None (raw counts), "1+log"
    (scikit-learn's sublinear_tf) or "log1p" (grouping's). `idf(vocabulary)` gives each
    word's weight (by its column); by default the smooth IDF of these documents.
    ValueError when the documents hold no word at all."""
    vocabulary: dict[str, int] = {}
    cells = [
        (row, vocabulary.setdefault(w, len(vocabulary)))
        for row, doc in enumerate(docs)
        for w in doc
    ]
    if not vocabulary:
        raise ValueError("empty vocabulary")
    counts = np.zeros((len(docs), len(vocabulary)))
    np.add.at(counts, tuple(np.array(cells).T), 1)
    if idf is None:
        df = np.count_nonzero(counts, axis=0)
        weights = np.log((1 + len(docs)) / (1 + df)) + 1
    else:
        weights = idf(vocabulary)
    if sublinear == "1+log":  # where a word occurs
        counts = np.log(counts, where=counts > 0, out=np.zeros_like(counts)) + (counts > 0)
    elif sublinear == "log1p":
        counts = np.log1p(counts)
    elif sublinear is not None:
        raise ValueError(f"unknown sublinear weighting {sublinear!r}")
    return unit_rows(counts * weights)


def tfidf(texts: list[str], *, sublinear: bool = False) -> np.ndarray:
    """Unit TF-IDF rows of plain texts, as TfidfVectorizer(stop_words=STOPWORDS,
    sublinear_tf=sublinear) gives them."""
    return tfidf_rows([tokens(t) for t in texts], sublinear="1+log" if sublinear else None)
