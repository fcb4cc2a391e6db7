"""Editors' pins: an article as the home page's lead, or at the top of a topic, until an
end time. Chosen by articles/selectors.py (pinned_lead, topic_pins)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from serving.dependencies import Tracked, TrackedQuerySet


class PinQuerySet(TrackedQuerySet):
    def current(self, now=None) -> PinQuerySet:
        now = now or timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), starts_at__lte=now)


class Pin(Tracked, models.Model):
    """An editor's choice: an article as the home page's lead, or at the top of a topic."""

    class CacheTags:  # serving/dependencies.py
        lists = ("topic",)

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="pins")
    topic = models.ForeignKey(
        "articles.Topic",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pins",
        help_text="Empty: the home page's lead story. A topic: the top of that topic.",
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lower comes first among a topic's pins."
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="After this the ranking is back to the newest first."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )

    objects = PinQuerySet.as_manager()

    class Meta:
        ordering = ["position", "-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="pin_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        where = self.topic.name if self.topic_id else "Home lead"
        return f"{where}: {self.article}"
