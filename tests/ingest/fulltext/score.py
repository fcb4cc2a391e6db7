"""Token precision and recall of full-text extraction over the labelled set (pages.py):
the figures docs/ingestion.md reports, pinned by tests/ingest/test_fulltext_quality.py and
printed by bench/fulltext_quality.py."""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from html import unescape

from django.utils.html import strip_tags

from ingest.fulltext import NoFullText, body_from_page

from .pages import PAGES

TOKEN = re.compile(r"\w+")


def tokens(text: str) -> Counter:
    return Counter(TOKEN.findall(unescape(text).lower()))


def score(found: str, expected: str) -> tuple[float, float]:
    got, want = tokens(found), tokens(expected)
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    return precision, recall


def measure(verbose: bool = False) -> dict:
    """Figures over the whole set; see the module docstring."""
    body_from_page(PAGES[0].html.encode(), url="https://news.example.org/")  # warm up
    precisions, recalls, times, teasers, refused = [], [], [], [], []
    for page in PAGES:
        started = time.perf_counter()
        try:
            body = body_from_page(page.html.encode(), url=f"https://news.example.org/{page.name}")
        except NoFullText as exc:
            body, why = "", str(exc)
        else:
            why = ""
        times.append(time.perf_counter() - started)
        if page.paywalled:
            if body:
                teasers.append(page.name)
            if verbose:
                print(f"{page.name:28} paywalled: {'ACCEPTED' if body else 'refused: ' + why}")
            continue
        if not body:
            refused.append(f"{page.name}: {why}")
        precision, recall = score(strip_tags(body), page.expected)
        precisions.append(precision)
        recalls.append(recall)
        if verbose:
            print(f"{page.name:28} precision {precision:.3f} recall {recall:.3f} {why}")
    return {
        "pages": len(PAGES),
        "articles": len(precisions),
        "precision": statistics.mean(precisions),
        "recall": statistics.mean(recalls),
        "min_precision": min(precisions),
        "min_recall": min(recalls),
        "refused": refused,
        "teasers_accepted": teasers,
        "ms_median": statistics.median(times) * 1000,
        "ms_max": max(times) * 1000,
    }
