"""Writes of the following app: follow, unfollow, the mail choices, a reader's erasure.

Views, the API, the profile page and tests all call these.
"""

from __future__ import annotations

from datetime import time

from django.db import IntegrityError, transaction
from django.utils import timezone

from serving.tags import bump_tags

from .models import Delivery, Follow, ReaderSettings
from .targets import Target, of_follow


def follows_tag(user_id: int) -> str:
    """What the Following page kept for a reader depends on besides the rows it read
    (`Follow` is no tracked model: nothing shared shows it). Bumped by every change of
    their follows below."""
    return f"following:reader={user_id}"


def _follows_changed(user) -> None:
    bump_tags([follows_tag(user.pk)], http=False)


def settings_of(user) -> ReaderSettings:
    """The reader's settings row, made with the defaults the first time."""
    found, _ = ReaderSettings.objects.get_or_create(user=user)
    return found


@transaction.atomic
def follow(*, user, target: Target) -> Follow:
    """Follow `target` (once: following it again changes nothing). A reader who follows
    FOLLOWS_MAX things already gets `FollowLimitReached` (a ValidationError)."""
    existing = Follow.objects.filter(user=user, kind=target.kind, **target.fields()).first()
    if existing is not None:
        return existing
    settings_of(user)
    # The reader's follows one at a time (their settings row locked to the end of the
    # transaction): two tabs at the limit cannot both pass `Follow.save()`'s count.
    ReaderSettings.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    try:
        with transaction.atomic():
            created = Follow.objects.create(
                user=user,
                kind=target.kind,
                author_name=target.name if target.kind == Follow.Kind.AUTHOR else "",
                **target.fields(),
            )
        _follows_changed(user)
        return created
    except IntegrityError:  # the same follow from another tab, a moment earlier
        return Follow.objects.get(user=user, kind=target.kind, **target.fields())


def unfollow(*, user, target: Target) -> bool:
    """Stop following `target`; False when the reader did not follow it."""
    deleted, _ = Follow.objects.filter(user=user, **target.lookup()).delete()
    if deleted:
        _follows_changed(user)
    return bool(deleted)


def unfollow_by_id(*, user, pk: int) -> bool:
    """Stop following one of the reader's own follows (another reader's is not found)."""
    deleted, _ = Follow.objects.filter(user=user, pk=pk).delete()
    if deleted:
        _follows_changed(user)
    return bool(deleted)


def follows_query(user):
    """The reader's follows as a queryset: a subquery of the statement that uses it."""
    return Follow.objects.filter(user=user)


def is_following(*, user, target: Target) -> bool:
    return Follow.objects.filter(user=user, **target.lookup()).exists()


MAIL_CHOICES = ("briefing", "briefing_time", "time_zone", "story_updates")


@transaction.atomic
def update_mail_settings(
    *,
    user,
    briefing: bool,
    briefing_time: time,
    time_zone: str,
    story_updates: bool,
) -> ReaderSettings:
    """Save the briefing and story-update choices and when the next mail is due."""
    found = settings_of(user)
    found.briefing = briefing
    found.briefing_time = briefing_time
    found.time_zone = time_zone
    found.story_updates = story_updates
    found.schedule(timezone.now())
    # Only what this changes: the row was read without a lock, and a briefing batch (its
    # `last_mail_at`) or a visit (`seen_at`) may write it before this does.
    found.save(update_fields=[*MAIL_CHOICES, "next_mail_at"])
    return found


@transaction.atomic
def stop_mail(*, user, what: str = "all") -> None:
    """Turn off the briefing, the story updates or both (the unsubscribe links). The row is
    read locked: the other choice, saved meanwhile, stays and keeps its mail scheduled."""
    found = ReaderSettings.objects.select_for_update().filter(user=user).first()
    if found is None:
        return
    if what in ("briefing", "all"):
        found.briefing = False
    if what in ("updates", "all"):
        found.story_updates = False
    found.schedule(timezone.now())
    found.save(update_fields=["briefing", "story_updates", "next_mail_at"])


def mark_seen(*, user, at) -> None:
    """Remember the Following page's visit (one UPDATE; nothing without settings)."""
    ReaderSettings.objects.update_reader(user.pk, seen_at=at)


def forget_reader(*, user) -> None:
    """Erase what a deleted account followed and chose (accounts' deletion hook)."""
    Follow.objects.filter(user=user).delete()
    _follows_changed(user)
    ReaderSettings.objects.filter(user=user).delete()
    Delivery.objects.filter(user=user).delete()


def export_reader(*, user) -> dict:
    """What a reader follows and chose, for their data export (accounts' export hook)."""
    follows = [
        {"kind": f.kind, "slug": of_follow(f).slug, "name": of_follow(f).name,
         "since": f.created_at.isoformat()}
        for f in Follow.objects.filter(user=user).select_related("topic", "source", "story__lead")
    ]  # fmt: skip
    found = ReaderSettings.objects.filter(user=user).first()
    mail = None
    if found is not None:
        mail = {
            "briefing": found.briefing,
            "briefing_time": found.briefing_time.strftime("%H:%M"),
            "time_zone": found.time_zone,
            "story_updates": found.story_updates,
        }
    return {"follows": follows, "mail": mail}
