"""Keep stories in step with articles: every saved article is (re)grouped by a task.

Connected in StoriesConfig.ready(); `articles` knows nothing of this receiver. The task is
enqueued once the save has committed: tests run tasks with the immediate backend, which
would otherwise group every article any test creates, inside its transaction. Should the
process die between the commit and the enqueue, the article is grouped at its next save
or by `recompute_stories`.

A source an editor vets (or un-vets) has its stories refreshed by a task on commit, as
an article an editor approves (`Article.vetted`, an article save) has its story's.

A scheduled article goes live without a save: `articles.signals.articles_went_live` (sent
by the scheduler tick) enqueues, on commit, the refresh of those articles' stories (the
count of sources readers can see, the lead, the story's key points).
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import post_save

logger = logging.getLogger(__name__)


def _run(article_id: int) -> None:
    from . import tasks

    try:
        tasks.assign_article.enqueue(article_id)
    except Exception:  # grouping must never break a publish
        logger.exception("Could not enqueue story assignment for article %s", article_id)


def article_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loaddata
        return
    transaction.on_commit(partial(_run, instance.pk))


def article_deleting(sender, instance, **kwargs) -> None:
    """Memberships go with the article (CASCADE); the story's counts and lead follow once
    the deletion has committed."""
    from .models import StoryMembership
    from .services import refresh_stories

    story_id = (
        StoryMembership.objects.filter(article_id=instance.pk)
        .values_list("story_id", flat=True)
        .first()
    )
    if story_id:
        transaction.on_commit(partial(refresh_stories, [story_id]))


def _refresh_later(article_ids: list[int]) -> None:
    from . import tasks

    try:
        tasks.refresh_article_stories.enqueue(article_ids)
    except Exception:  # the tick goes on; the next save or recompute catches up
        logger.exception("Could not enqueue story refresh for articles %s", article_ids)


def articles_went_live(sender, article_ids, **kwargs) -> None:
    transaction.on_commit(partial(_refresh_later, list(article_ids)))


def _refresh_source_later(source_id: int) -> None:
    from . import tasks

    try:
        tasks.refresh_source_stories.enqueue(source_id)
    except Exception:  # the save goes on; the next change of each story catches up
        logger.exception("Could not enqueue story refresh for source %s", source_id)


def source_saving(sender, instance, raw=False, **kwargs) -> None:
    """An editor vetted a source (or took it back): its stories' leads, first reports and
    key points are chosen again once the save has committed (stories/trust.py)."""
    if raw or instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values_list("vetted", flat=True).first()
    if before is not None and before != instance.vetted:
        transaction.on_commit(partial(_refresh_source_later, instance.pk))


def connect() -> None:
    from django.db.models.signals import pre_delete, pre_save

    from articles.models import Article, Source
    from articles.signals import articles_went_live as went_live

    pre_save.connect(source_saving, sender=Source, dispatch_uid="stories-source-saving")
    post_save.connect(article_saved, sender=Article, dispatch_uid="stories-article-saved")
    pre_delete.connect(article_deleting, sender=Article, dispatch_uid="stories-article-deleting")
    went_live.connect(articles_went_live, dispatch_uid="stories-articles-went-live")
