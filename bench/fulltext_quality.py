"""Full-text extraction measured against the labelled set (docs/ingestion.md, "Full text").

Usage: python bench/fulltext_quality.py [-v]

Runs every page of tests/ingest/fulltext/pages.py through ingest.fulltext.body_from_page
(the importer's own path: extraction, nh3, paywall and length checks) and compares the
body's words with the expected text: token precision (how much of what was extracted
belongs to the article) and recall (how much of the article was extracted), per page and
averaged over the pages, and whether every paywalled page was refused. Also times the
extraction per page. -v prints every page.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def main() -> None:
    import django

    django.setup()
    from tests.ingest.fulltext.score import measure

    figures = measure(verbose="-v" in sys.argv)
    print(
        f"{figures['pages']} pages ({figures['articles']} articles, "
        f"{figures['pages'] - figures['articles']} paywalled)\n"
        f"token precision {figures['precision']:.3f} (lowest page {figures['min_precision']:.3f})"
        f"\ntoken recall    {figures['recall']:.3f} (lowest page {figures['min_recall']:.3f})\n"
        f"articles refused: {len(figures['refused'])} {figures['refused']}\n"
        f"paywall teasers accepted: {len(figures['teasers_accepted'])}\n"
        f"time per page: median {figures['ms_median']:.1f} ms, slowest {figures['ms_max']:.1f} ms"
    )


if __name__ == "__main__":
    main()
