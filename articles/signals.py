"""Derived data kept up to date on writes: the page cache generation.

Connected in `ArticlesConfig.ready()`. The generation is bumped twice: at once (so the
writing process, and tests inside a transaction, never read a stale page) and again when
the transaction commits (so a page another server cached from the not-yet-committed
state in between is dropped too).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from serving.cache import bump_generation


def content_changed(sender, **kwargs) -> None:
    """Any write readers could see: make every cached page stale."""
    if kwargs.get("raw"):  # loaddata
        return
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):  # m2m pre_* steps
        return
    bump_generation()
    transaction.on_commit(bump_generation)


def connect() -> None:
    from .models import Article, Correction, Promo, Source, Topic

    for model in (Article, Correction, Promo, Source, Topic):
        uid = f"pages-{model._meta.model_name}"
        post_save.connect(content_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        content_changed, sender=Article.topics.through, dispatch_uid="pages-article-topics"
    )
