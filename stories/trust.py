"""Trust in sources (issue 31): who may lead a story, report it first and give its key points.

Two rules, applied by the story refresh (services.refresh_story) and by every reader of a
story (the story page, the stories API) alike:

- **Feeds can lie about time.** An imported article's "reported at" is the time its feed
  claims, unless that is earlier than the time the item was first seen here (the row's
  `created_at`) by more than `STORY_CLAIM_TOLERANCE_MINUTES`: then it is the time it was
  first seen. Articles written here keep their publication time (an editor set it).
- **New sources are not trusted yet.** An article is trusted when its source is vetted or
  an editor approved the article itself (`Article.vetted`). A story's lead, its first
  report and its key points come from trusted articles; an untrusted one may be all
  three only in a story that has no trusted article at all (key points: never), and an
  editor's pinned lead always wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings

from articles.models import Article


def tolerance() -> timedelta:
    return timedelta(minutes=settings.STORY_CLAIM_TOLERANCE_MINUTES)


def reported_time(
    claimed: datetime | None, seen: datetime | None, *, imported: bool
) -> datetime | None:
    """When the article counts as reported: its claimed time, or the time it was first
    seen here when an imported article claims a time earlier than that by more than the
    tolerance."""
    if not imported or claimed is None or seen is None:
        return claimed or seen
    return seen if claimed < seen - tolerance() else claimed


def reported_at(article: Article) -> datetime | None:
    return reported_time(article.published_at, article.created_at, imported=bool(article.guid))


def trusted(article: Article) -> bool:
    """Needs the source loaded (or selected). The house (the newsroom's own reporting) is
    trusted whatever its vetted box says."""
    return article.vetted or article.source.vetted or article.source.is_house


def rank(article: Article) -> tuple:
    """Sort key: trusted first, then the earliest reported, then the oldest row."""
    return (not trusted(article), reported_at(article) or article.created_at, article.pk)


def first_report(articles: Iterable[Article]) -> Article | None:
    """The story's "First reported by": among articles readers can see."""
    return min(articles, key=rank, default=None)


def lead_of(lead_id: int | None, articles: list[Article]) -> Article | None:
    """The story's lead as readers see it: the stored one (chosen under these rules, or
    pinned by an editor) when it is among `articles`, else the first report."""
    return next((a for a in articles if a.pk == lead_id), None) or first_report(articles)


def in_report_order(articles: Iterable[Article]) -> list[Article]:
    """The timeline: articles by the time they count as reported (`.reported_at` set)."""
    articles = list(articles)
    for article in articles:
        article.reported_at = reported_at(article)
    return sorted(articles, key=lambda a: (a.reported_at or a.created_at, a.pk))
