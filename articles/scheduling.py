"""Scheduled articles going live: the scheduler tick refreshes the pages they appear on.

An article published with a future time becomes visible by itself (`published()` compares
with the clock) and the page cache already expires at the next scheduled change. This
hook, run on every scheduler tick (settings.SCHEDULER_JOBS), makes the switch explicit for
caches that do not know the schedule: it tells serving that content changed, once per
tick in which at least one article went live, and sends `articles.signals.
articles_went_live` with their ids for other apps' derived data (stories' counts and lead).
"""

from __future__ import annotations

from datetime import datetime

from serving.dependencies import changed

from .models import Article
from .signals import articles_went_live


def refresh_pages_gone_live(*, since: datetime | None, now: datetime) -> list[int]:
    """Articles that went live after the previous tick (`since`) and by `now`: their pages
    are refreshed. Returns their ids."""
    if since is None:
        return []  # the first tick ever: nothing cached can predate it
    gone_live = list(
        Article.objects.published(now).filter(published_at__gt=since).values_list("pk", flat=True)
    )
    if gone_live:
        changed(Article, gone_live)
        articles_went_live.send(sender=Article, article_ids=gone_live)
    return gone_live
