"""What readers follow, their briefing and story-update choices, and the mails sent.

Invariants are the database's: a follow names exactly one thing of its kind and a reader
follows it once (constraints); a reader gets at most one mail a day (`Delivery`'s unique
constraint), whatever the number of schedulers and workers (docs/accounts.md).
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from articles.models import Source, Topic
from serving.tags import bump_tags
from stories.models import Story

from .schedule import next_local_time


class FollowLimitReached(ValidationError):
    """The reader follows FOLLOWS_MAX things already: one more is refused."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You follow {limit} things, the most one reader can. Unfollow something on "
            "your profile page first.",
            code="follow_limit",
        )
        self.limit = limit


class Follow(models.Model):
    """One thing a reader follows: a topic, a source, an author (a byline) or a story.

    A reader follows at most FOLLOWS_MAX things (their Following page and briefing read
    them all): `save()` of a new follow refuses one more, whatever path makes it (the
    button, the API, the admin, a script). `following.services.follow` locks the reader's
    settings row first, so two follows at once cannot both pass the count.
    `bulk_create()` skips `save()`: the benchmarks' seeding only."""

    class Kind(models.TextChoices):
        TOPIC = "topic", "Topic"
        SOURCE = "source", "Source"
        AUTHOR = "author", "Author"
        STORY = "story", "Story"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, null=True, blank=True)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, null=True, blank=True)
    story = models.ForeignKey(Story, on_delete=models.CASCADE, null=True, blank=True)
    # Bylines are plain text: an author is the slug of the byline (the author page's).
    author_slug = models.SlugField(max_length=200, blank=True)
    author_name = models.CharField(
        max_length=200, blank=True, help_text="The byline as it read when followed."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="topic", topic__isnull=False, source=None, story=None, author_slug="")
                    | Q(kind="source", source__isnull=False, topic=None, story=None, author_slug="")
                    | Q(kind="story", story__isnull=False, topic=None, source=None, author_slug="")
                    | (Q(kind="author", topic=None, source=None, story=None) & ~Q(author_slug=""))
                ),
                name="follow_one_target_of_its_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "topic"], condition=Q(kind="topic"), name="follow_topic_once"
            ),
            models.UniqueConstraint(
                fields=["user", "source"], condition=Q(kind="source"), name="follow_source_once"
            ),
            models.UniqueConstraint(
                fields=["user", "story"], condition=Q(kind="story"), name="follow_story_once"
            ),
            models.UniqueConstraint(
                fields=["user", "author_slug"],
                condition=Q(kind="author"),
                name="follow_author_once",
            ),
        ]
        indexes = [models.Index(fields=["story"], name="follow_story_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.key}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            limit = settings.FOLLOWS_MAX
            if Follow.objects.filter(user_id=self.user_id).count() >= limit:
                raise FollowLimitReached(limit)
        super().save(*args, **kwargs)

    @property
    def key(self) -> str:
        """What names the followed thing in a URL or the API: its slug."""
        target = self.target
        return self.author_slug if self.kind == self.Kind.AUTHOR else target.slug

    @property
    def target(self):
        return {"topic": self.topic, "source": self.source, "story": self.story}.get(self.kind)


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(f"{value!r} is not a time zone.")


def available_time_zones() -> frozenset[str]:
    return _ZONES


_ZONES = frozenset(zoneinfo.available_timezones())


def settings_tag(user_id: int) -> str:
    """What the Following page keeps of a reader's settings (their last visit, whether
    they take the briefing) depends on: bumped by every write of their row below."""
    return f"following:settings={user_id}"


def _settings_changed(user_ids) -> None:
    bump_tags([settings_tag(u) for u in user_ids], http=False)


# What only the briefing worker writes (its schedule): nothing a page shows.
SCHEDULE_FIELDS = frozenset({"next_mail_at", "last_mail_at"})


class ReaderSettingsQuerySet(models.QuerySet):
    """Every write of a row bumps its reader's `settings_tag` (save and delete too, on
    the model), so what the Following page keeps of it is never served after a change;
    a write of the schedule only bumps nothing (`bulk_update()` writes through
    `update()`). A cascade from deleting the user bumps
    nothing: no one signs in as them again."""

    def update(self, **fields) -> int:
        if fields.keys() <= SCHEDULE_FIELDS:
            return super().update(**fields)
        users = list(self.values_list("pk", flat=True))
        count = super().update(**fields)
        _settings_changed(users)
        return count

    def update_reader(self, user_id: int, **fields) -> int:
        """`update()` of one reader's row, whose id is known: one query, no read first."""
        count = models.QuerySet.update(self.filter(pk=user_id), **fields)
        _settings_changed([user_id])
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        _settings_changed(obj.pk for obj in created)
        return created

    def delete(self):
        users = list(self.values_list("pk", flat=True))
        result = super().delete()
        _settings_changed(users)
        return result


class ReaderSettings(models.Model):
    """A reader's mail choices for what they follow, and when the next mail is due."""

    class Updates(models.TextChoices):
        OFF = "off", "No story updates"
        MAIL = "mail", "One mail a day with every followed story's news"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="following_settings",
    )
    briefing = models.BooleanField("email me a morning briefing", default=False)
    briefing_time = models.TimeField("at", default=time(7, 0))
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    story_updates = models.BooleanField(
        "email me when a story I follow has a new source or a correction", default=False
    )
    # Derived in save(): when the worker next composes this reader's mail (None: never).
    next_mail_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_mail_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The Following page's last visit: what came after is marked new.
    seen_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReaderSettingsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "reader settings"
        indexes = [
            models.Index(
                fields=["next_mail_at"],
                condition=Q(next_mail_at__isnull=False),
                name="following_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Settings of reader {self.user_id}"

    def save(self, *args, **kwargs):
        validate_time_zone(self.time_zone)
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if fields is None or not set(fields) <= SCHEDULE_FIELDS:
            _settings_changed([self.pk])

    def delete(self, *args, **kwargs):
        user_id = self.pk
        result = super().delete(*args, **kwargs)
        _settings_changed([user_id])
        return result

    @property
    def mails(self) -> bool:
        return self.briefing or self.story_updates

    def schedule(self, after: datetime) -> None:
        """Set when the next mail is due: the chosen local time after `after`."""
        self.next_mail_at = (
            next_local_time(self.briefing_time, self.time_zone, after) if self.mails else None
        )


class Delivery(models.Model):
    """One reader's mail of one local day: the row that makes it once a day.

    The worker inserts it in the same transaction as the batch's queued mails (one
    `deliver_briefings` task), so a mail is queued exactly when its row exists.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="The reader's local date of the mail.")
    stories = models.PositiveSmallIntegerField(default=0)
    updates = models.PositiveSmallIntegerField(default=0)
    mailed = models.BooleanField(default=False, help_text="False: nothing to say, none sent.")
    # Set just before the mail goes to the mail server (following/delivery.py): a rerun
    # of the batch's delivery task skips the row, so the mail goes at most once.
    handed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Why the mail did not go: what broke composing it (`mailed` False), or the mail
    # server's refusal. Blank: sent, or not tried yet.
    failure = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_mail_per_reader_and_day")
        ]

    def __str__(self) -> str:
        return f"Mail of {self.day} to reader {self.user_id}"
