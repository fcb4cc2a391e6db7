"""Featured comments: a moderator's picks, shown first on the article (Coral's and the New
York Times' "Featured" tab).

A comment is featured while `featured_at` is set and it is approved: rejecting a featured
comment takes it out of the block at once, and restoring it brings it back. Featuring is
a moderator's decision like any other: it goes through these services (the queue, the
tests) and writes a ModerationLog row. The page cache needs nothing more: `featured_at` is
a shown field of a listed comment, so the save bumps the article's comment list
(serving/dependencies.py) and the thread fragment that prints the block.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import Comment, ModerationLog, Status
from .permissions import can_moderate

Action = ModerationLog.Action


def _set(*, comment: Comment, moderator, featured: bool, reason: str) -> list[Comment]:
    if not can_moderate(moderator):
        raise PermissionDenied("Only moderators can do that.")
    if featured == (comment.featured_at is not None):
        return []
    if featured and comment.status != Status.APPROVED:
        # Only a published comment can be a pick: readers would see an empty block.
        return []
    with transaction.atomic():
        comment.featured_at = timezone.now() if featured else None
        comment.save(update_fields=["featured_at"])
        ModerationLog.objects.create(
            comment=comment,
            action=Action.FEATURE if featured else Action.UNFEATURE,
            moderator=moderator,
            reason=reason[:300],
        )
    return [comment]


def comment_feature(
    *, comment: Comment, moderator, reason: str = "", also_replies: bool = False
) -> list[Comment]:
    """Feature an approved comment (replies are never featured along). Returns the
    comments changed: none when it is featured already or not approved."""
    return _set(comment=comment, moderator=moderator, featured=True, reason=reason)


def comment_unfeature(
    *, comment: Comment, moderator, reason: str = "", also_replies: bool = False
) -> list[Comment]:
    """Take a comment out of the Featured block; it stays where it is in its thread."""
    return _set(comment=comment, moderator=moderator, featured=False, reason=reason)
