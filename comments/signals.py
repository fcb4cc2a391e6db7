"""Derived data only: stale cached pages when a comment readers can see changes.

Every decision writes a ModerationLog row with its from/to status, so one receiver on that
model sees them all. Readers see approved comments and "removed" placeholders; any change
into or out of those states makes the anonymous page cache stale.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save

from serving.cache import bump_generation

from .models import ModerationLog, Status

PUBLIC = {Status.APPROVED, Status.REMOVED}


def changes_public_pages(entry: ModerationLog) -> bool:
    """True when a comment moved into or out of what readers can see."""
    if entry.comment_id is None:
        return False
    return entry.from_status in PUBLIC or entry.to_status in PUBLIC


def decision_logged(sender, instance: ModerationLog, created: bool, raw: bool = False, **kwargs):
    if raw or not created:
        return
    if changes_public_pages(instance):
        # At once (this process and tests) and after commit (other servers may have
        # cached the page from the state in between), as articles.signals does.
        bump_generation()
        transaction.on_commit(bump_generation)


# What a comment shows of its author on cached pages.
AUTHOR_FIELDS = {"display_name", "first_name", "last_name", "avatar", "is_deleted"}


def author_saved(sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs):
    """A new name, picture or a deleted account shows on every page with their comments."""
    if raw or created:
        return
    if update_fields is not None and not AUTHOR_FIELDS & set(update_fields):
        return  # e.g. last_login on each sign-in
    transaction.on_commit(bump_generation)


def connect() -> None:
    post_save.connect(decision_logged, sender=ModerationLog, dispatch_uid="comments-pages")
    post_save.connect(author_saved, sender=get_user_model(), dispatch_uid="comments-authors")
