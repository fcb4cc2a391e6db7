"""The labelled evaluation sets and pairwise precision and recall.

`DATA` (stories/eval_set.txt) is the set the thresholds were tuned on; `HELDOUT`
(stories/eval_heldout.txt) was written afterwards and is never used to tune them.

Used by `make bench-stories` (bench/stories_bench.py) and by the tests, which hold the
grouping to the same targets on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

from django.utils.text import slugify

DATA = Path(__file__).with_name("eval_set.txt")
HELDOUT = Path(__file__).with_name("eval_heldout.txt")
# A second held-out set, written for issue 31 from the point of view of someone trying
# to break grouping; never used to tune anything (docs/stories.md).
HELDOUT2 = Path(__file__).with_name("eval_heldout2.txt")
# A third, written after blend 3 had been scored on the second (and not shipped), so that
# the next design is judged on a set no design was chosen by (docs/stories.md).
HELDOUT3 = Path(__file__).with_name("eval_heldout3.txt")
# A fourth, written after the third pass's designs were fitted and the rule had chosen
# blend 4, before blend 4 was scored on it (docs/stories.md).
HELDOUT4 = Path(__file__).with_name("eval_heldout4.txt")
# A fifth, written in issue 31's fourth pass before any of its designs was fitted or any
# design scored on it (docs/stories.md).
HELDOUT5 = Path(__file__).with_name("eval_heldout5.txt")
# A sixth, written in issue 31's fifth pass after reading blend 4's failures on the
# tuning sets only, before any of its designs existed (docs/stories.md).
HELDOUT6 = Path(__file__).with_name("eval_heldout6.txt")
# A seventh, written in issue 31's sixth pass (a sentence model in a wheel) after its
# designs were measured on the tuning sets only, before any was scored on a held-out set.
HELDOUT7 = Path(__file__).with_name("eval_heldout7.txt")
# An eighth, written in issue 31's seventh pass before any of its designs was fitted or
# scored, and before the second held-out set's false pairs were read (docs/stories.md).
HELDOUT8 = Path(__file__).with_name("eval_heldout8.txt")
# A ninth, written in issue 31's eighth pass (a cross-encoder) before anything of that pass
# was measured, and committed before any design was scored on it (docs/stories.md).
HELDOUT9 = Path(__file__).with_name("eval_heldout9.txt")
# Distractors and paraphrases the first set has too few of, written after the first blend
# was scored; fitted on with DATA (bench/calibrate_stories.py), so a tuning set too.
TUNING2 = Path(__file__).with_name("eval_tuning2.txt")
# Paraphrases and same-name distractors again, written in the fourth pass because the two
# sets above no longer told designs apart (docs/stories.md); fitted on.
TUNING3 = Path(__file__).with_name("eval_tuning3.txt")
# The kind of distractor every design refitted on TUNING3 merged in HELDOUT2 (an event that
# follows from another or names it), written in the seventh pass after reading those
# pairs (docs/stories.md); fitted on.
TUNING4 = Path(__file__).with_name("eval_tuning4.txt")
TUNING = (DATA, TUNING2)
PATHS = (
    DATA,
    TUNING2,
    TUNING3,
    TUNING4,
    HELDOUT,
    HELDOUT2,
    HELDOUT3,
    HELDOUT4,
    HELDOUT5,
    HELDOUT6,
    HELDOUT7,
    HELDOUT8,
    HELDOUT9,
)


@dataclass(frozen=True)
class Item:
    event: str
    source: str
    hours: float
    title: str
    summary: str
    paragraphs: tuple[str, ...]


def items(path: Path = DATA) -> list[Item]:
    blocks = [b for b in path.read_text().split("\n\n") if b.strip()]
    found = []
    for block in blocks:
        lines = [ln.strip() for ln in block.splitlines() if ln.strip() and not ln.startswith("#")]
        if not lines:
            continue
        event, source, hours = (part.strip() for part in lines[0].split("|"))
        found.append(Item(event, source, float(hours), lines[1], lines[2], tuple(lines[3:])))
    return found


def load(t0: datetime, publish=True, path: Path = DATA) -> dict[int, str]:
    """Create the set's sources and articles, oldest first, through the real save path.

    Returns {article id: event}. Story assignment runs from the articles' post_save
    receiver on commit, as in production.
    """
    from articles.models import Article, Source

    labels = {}
    for n, item in enumerate(sorted(items(path), key=lambda i: i.hours)):
        source, _ = Source.objects.get_or_create(
            # The labelled sets' outlets are established ones (stories/trust.py).
            slug=slugify(item.source),
            defaults={"name": item.source, "vetted": True},
        )
        article = Article.objects.create(
            title=item.title,
            slug=f"eval-{path.stem}-{n}-{slugify(item.title)[:50]}",
            summary=item.summary,
            body="".join(f"<p>{p}</p>" for p in item.paragraphs),
            source=source,
            status=Article.Status.PUBLISHED if publish else Article.Status.DRAFT,
            published_at=t0 + timedelta(hours=item.hours),
        )
        labels[article.pk] = item.event
    return labels


def pairwise(labels: dict[int, str], predicted: dict[int, int | None]) -> dict[str, float]:
    """Pairwise precision and recall: over all pairs of articles, same story vs same event."""
    tp = fp = fn = 0
    for a, b in combinations(sorted(labels), 2):
        same_event = labels[a] == labels[b]
        same_story = predicted.get(a) is not None and predicted.get(a) == predicted.get(b)
        tp += same_event and same_story
        fp += same_story and not same_event
        fn += same_event and not same_story
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": precision, "recall": recall, "tp": tp, "fp": fp, "fn": fn}
