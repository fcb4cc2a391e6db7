"""Reader comments, their moderation log, reports and bans.

Nothing here is ever deleted by moderation: a decision changes a status and writes a
ModerationLog row, so every decision can be read back and reversed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

MAX_DEPTH = 2  # depth 0, 1, 2: three levels; deeper replies attach to the third level


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SPAM = "spam", "Spam"
    REMOVED = "removed", "Removed by its author"


class Reason(models.TextChoices):
    """Why the rules held, refused or passed a comment (shown to moderators)."""

    NONE = "", "-"
    TOO_SHORT = "too_short", "Too short"
    TOO_LONG = "too_long", "Too long"
    CLOSED = "closed", "Comments closed"
    DUPLICATE = "duplicate", "Duplicate of a recent comment"
    FLOOD = "flood", "Posting too fast"
    BLOCKED_WORD = "blocked_word", "Contains a blocked word"
    WATCHED_WORD = "watched_word", "Contains a watched word"
    LINKS = "links", "Too many links"
    NEW_READER = "new_reader", "New reader"
    RECENT_REJECTIONS = "recent_rejections", "Recent rejections"
    PREMODERATION = "premoderation", "Site pre-moderation"
    REPORTED = "reported", "Reported by readers"
    BANNED = "banned", "Reader banned"
    TRUSTED = "trusted", "Trusted reader"
    PASSED = "passed", "Passed every rule"


def visible_in_thread(user) -> Q:
    """What may appear in a thread for this viewer: approved, removed placeholders and
    the viewer's own pending comments. Never anybody else's pending comment."""
    visible = Q(status__in=[Status.APPROVED, Status.REMOVED])
    if user is not None and user.is_authenticated:
        visible |= Q(status=Status.PENDING, author_id=user.pk)
    return visible


class CommentQuerySet(models.QuerySet):
    def approved(self) -> CommentQuerySet:
        return self.filter(status=Status.APPROVED)

    def in_thread_for(self, user) -> CommentQuerySet:
        return self.filter(visible_in_thread(user))


class Comment(models.Model):
    """One reader comment on one article; replies point at their parent."""

    Status = Status
    Reason = Reason

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # The thread's top-level comment (itself for a top-level comment): the article page
    # fetches a page of threads and all their replies in one query through this field.
    thread = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    body = models.TextField(help_text="Plain text, escaped on output.")
    fingerprint = models.CharField(max_length=64, editable=False, db_index=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    hold_reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    hold_reason_text = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # For moderators only; the IP is truncated after COMMENTS_IP_RETENTION_DAYS by the
    # scrub_comment_ips management command.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    ip_scrubbed = models.BooleanField(default=False)
    user_agent = models.CharField(max_length=300, blank=True)
    reply_notified = models.BooleanField(default=False, editable=False)
    report_count = models.PositiveIntegerField(default=0, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("moderate_comment", "Can moderate comments and ban readers")]
        indexes = [
            # The article page: top-level comments of one article by status and time...
            models.Index(
                fields=["article", "parent", "status", "created_at"], name="comment_roots_idx"
            ),
            # ...then every reply of those threads.
            models.Index(fields=["thread", "created_at"], name="comment_thread_idx"),
            # The queue: pending first, oldest first.
            models.Index(fields=["status", "created_at"], name="comment_queue_idx"),
            # Reader history, duplicate and flood checks.
            models.Index(fields=["author", "created_at"], name="comment_author_idx"),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author.public_name}"

    def get_absolute_url(self) -> str:
        """The permalink: it finds the thread's page, however long the thread grows."""
        return reverse("comments:permalink", args=[self.pk])

    @property
    def is_visible_to_public(self) -> bool:
        return self.status == Status.APPROVED


class ModerationLog(models.Model):
    """One decision: by a moderator, by the rules ("system", moderator empty) or by the
    author (removal). from_status/to_status make every decision reversible."""

    class Action(models.TextChoices):
        POSTED = "posted", "Posted (rules decided)"
        EDITED = "edited", "Edited (rules decided)"
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"
        SPAM = "spam", "Marked spam"
        RESTORE = "restore", "Restored"
        REMOVE = "remove", "Removed by author"
        REPORTED = "reported", "Back to the queue after reports"
        BAN = "ban", "Banned"
        LIFT_BAN = "lift_ban", "Ban lifted"

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="log"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The reader concerned (bans).",
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    from_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: the automatic rules (or the author, for a removal).",
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["comment", "-created_at"], name="modlog_comment_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor}"

    @property
    def actor(self) -> str:
        if self.moderator_id:
            return self.moderator.public_name
        return "author" if self.action == self.Action.REMOVE else "system"


class ReportCategory(models.TextChoices):
    SPAM = "spam", "Spam"
    ABUSE = "abuse", "Abuse or harassment"
    OFF_TOPIC = "off_topic", "Off-topic"
    MISINFORMATION = "misinformation", "Misinformation"
    OTHER = "other", "Other"


class ReportQuerySet(models.QuerySet):
    def open(self) -> ReportQuerySet:
        """Reports no moderator has decided on yet: they put a comment in "Reported"."""
        return self.filter(resolved_at__isnull=True)


class Report(models.Model):
    """A reader's report of a comment; one per reader and comment. A moderator's decision
    on the comment resolves its open reports (they stay for the record)."""

    Category = ReportCategory

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(
        max_length=20, choices=ReportCategory.choices, default=ReportCategory.OTHER
    )
    reason = models.CharField(
        "note", max_length=300, blank=True, help_text="The reader's optional note."
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="When a moderator decided on the comment."
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="report_once"),
            models.CheckConstraint(
                condition=models.Q(category__in=ReportCategory.values),
                name="report_category_known",
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "comment"], name="report_open_idx")]

    def __str__(self) -> str:
        return f"Report on comment {self.comment_id}"


class BanQuerySet(models.QuerySet):
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
