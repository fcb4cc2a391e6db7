"""Scheduled articles going live: the scheduler tick refreshes the pages they appear on.

An article published with a future time becomes visible by itself (`published()` compares
with the clock) and the page cache already expires at the next scheduled change. This
hook, run on every scheduler tick (settings.SCHEDULER_JOBS), makes the switch explicit for
caches that do not know the schedule: it tells serving that content changed, once per
tick in which at least one article went live.
"""

from __future__ import annotations

from datetime import datetime

from serving.cache import bump_generation

from .models import Article


def refresh_pages_gone_live(*, since: datetime | None, now: datetime) -> list[int]:
    """Articles that went live after the previous tick (`since`) and by `now`: their pages
    are refreshed. Returns their ids."""
    if since is None:
        return []  # the first tick ever: nothing cached can predate it
    gone_live = list(
        Article.objects.published(now).filter(published_at__gt=since).values_list("pk", flat=True)
    )
    if gone_live:
        pages_changed(gone_live)
    return gone_live


def pages_changed(article_ids: list[int]) -> None:
    """The serving call for articles whose pages changed by themselves.

    Today: the content generation (every cached page is stale at once). PURGE HOOK: when
    `serving.purge.purge_tags(tags)` exists, enqueue its task here with the articles' tags
    (and their topics' and sources' lists) so a CDN or Varnish in front drops them too.
    """
    bump_generation()
