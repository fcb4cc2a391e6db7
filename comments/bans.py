"""Bans: a reader suspended from commenting until a time, or for good.

Exported by comments/models.py with the other comment models."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

# Sent with `user_ids` after a queryset write changed what a reader's record holds (their
# comments' articles, their bans: comments.permissions.reader_record).
readers_changed = Signal()


class BanQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        """As save() does (comments/signals.py): the banned readers' records change."""
        user_ids = set(self.values_list("user_id", flat=True).distinct())
        if {"user", "user_id"} & kwargs.keys():
            new = kwargs.get("user_id", kwargs.get("user"))
            user_ids.add(getattr(new, "pk", new))
        count = super().update(**kwargs)
        if count:
            readers_changed.send(sender=self.model, user_ids=user_ids)
        return count

    def active(self, now=None) -> BanQuerySet:
        now = now or timezone.now()
        return self.filter(Q(until__isnull=True) | Q(until__gt=now), lifted_at__isnull=True)


class Ban(models.Model):
    """A reader suspended from commenting until a time, or for good (until empty)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_bans"
    )
    until = models.DateTimeField(null=True, blank=True, help_text="Empty: for good.")
    reason = models.CharField(max_length=300)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "lifted_at"], name="ban_user_idx")]

    def __str__(self) -> str:
        return f"Ban of {self.user.public_name}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None and (self.until is None or self.until > timezone.now())
