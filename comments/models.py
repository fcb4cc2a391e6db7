"""Reader comments, their moderation log, reports and bans.

Nothing here is ever deleted by moderation: a decision changes a status and writes a
ModerationLog row, so every decision can be read back and reversed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from serving.dependencies import Tracked, TrackedQuerySet

from .bans import Ban, readers_changed  # noqa: F401 (Ban: exported with the other models)

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


# Derived by Comment.save() from `parent`: a queryset update() may not set them.
DERIVED_FIELDS = {
    *("parent", "parent_id", "thread", "thread_id", "depth", "article", "article_id"),
    *("in_reply_to", "in_reply_to_id"),
}
# Fields a cached page shows (or that decide whether it shows the comment).
SHOWN_FIELDS = {"status", "body", "author", "author_id", "created_at", "edited_at"}


class CommentQuerySet(TrackedQuerySet):
    def approved(self) -> CommentQuerySet:
        return self.filter(status=Status.APPROVED)

    def in_thread_for(self, user) -> CommentQuerySet:
        return self.filter(visible_in_thread(user))

    def update(self, **kwargs) -> int:
        """Refuse to set the thread fields (only save() derives them right) and tell the
        readers' records when comments change hands (pages: serving/dependencies.py)."""
        derived = DERIVED_FIELDS & kwargs.keys()
        if derived:
            raise TypeError(
                f"Comment {', '.join(sorted(derived))} are derived from the parent: "
                "set `parent` and call save()."
            )
        authors = set()
        if {"author", "author_id"} & kwargs.keys():  # e.g. imported comments claimed
            authors = set(self.values_list("author_id", flat=True).distinct())
            new = kwargs.get("author_id", kwargs.get("author"))
            authors.add(getattr(new, "pk", new))
        count = super().update(**kwargs)
        if count and authors:
            readers_changed.send(sender=self.model, user_ids=authors)
        return count

    def bulk_create(self, objs, *args, **kwargs) -> list[Comment]:
        """bulk_create() calls no save(): derive thread and depth here the same way."""
        objs = list(objs)
        _load_parents(objs)
        for obj in objs:
            obj.derive_thread()
        created = super().bulk_create(objs, *args, **kwargs)
        roots = [obj for obj in objs if obj.parent_id is None]
        base = self.model._base_manager.using(self.db)
        if all(obj.pk for obj in roots):
            for start in range(0, len(roots), 900):  # SQLite's variable limit
                chunk = [obj.pk for obj in roots[start : start + 900]]
                base.filter(pk__in=chunk).update(thread=F("pk"))
        else:  # no primary keys back (ignore_conflicts, old SQLite): mend every root
            base.filter(parent__isnull=True, thread__isnull=True).update(thread=F("pk"))
        for obj in roots:
            obj.thread_id = obj.pk
        if objs:
            readers_changed.send(sender=self.model, user_ids={obj.author_id for obj in objs})
        return created


def _load_parents(objs: list[Comment]) -> None:
    """Fetch the parents bulk_create() needs in one query rather than one per comment."""
    field = Comment._meta.get_field("parent")
    missing = {o.parent_id for o in objs if o.parent_id and not field.is_cached(o)}
    if not missing:
        return
    parents = Comment._base_manager.in_bulk(missing)
    for obj in objs:
        if obj.parent_id in parents:
            field.set_cached_value(obj, parents[obj.parent_id])
    # A reply to the third level climbs to the parent's parent: fetch those at once too.
    climbs = {p.parent_id for p in parents.values() if p.depth >= MAX_DEPTH}
    grandparents = Comment._base_manager.in_bulk(climbs) if climbs else {}
    for parent in parents.values():
        if parent.parent_id in grandparents:
            field.set_cached_value(parent, grandparents[parent.parent_id])


class Comment(Tracked, models.Model):
    """One reader comment on one article; replies point at their parent."""

    class CacheTags:  # serving/dependencies.py
        lists = ("article",)
        # Readers see approved comments and "removed" placeholders, nothing else.
        listed_when = ("status", {"approved", "removed"})
        # For moderators, notices and imports only.
        bookkeeping = (
            "fingerprint",
            "hold_reason",
            "hold_reason_text",
            "ip_address",
            "ip_scrubbed",
            "user_agent",
            "reply_notified",
            "report_count",
            "import_source",
            "import_origin",
            "external_id",
        )

    Status = Status
    Reason = Reason

    # PROTECT everywhere: deleting an article, a reader or a comment never takes other
    # readers' words with it. Articles are withdrawn; readers go through
    # accounts.services.delete_account, which keeps their comments as "[deleted]".
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    # The thread's top-level comment (itself for a top-level comment): the article page
    # fetches a page of threads and all their replies in one query through this field.
    # Derived from `parent` by save() (and bulk_create), like `depth`. DO_NOTHING, not
    # PROTECT: a top-level comment names itself, which PROTECT would read as a dependant;
    # every other comment of the thread already protects the root through `parent`, and
    # the database's foreign key refuses a dangling thread anyway.
    thread = models.ForeignKey(
        "self", on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+", editable=False
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # The comment a reply answered when it was deeper than the display cap and joined
    # the third level under that comment's parent: the page says "in reply to <name>".
    in_reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    body = models.TextField(help_text="Plain text, escaped on output.")
    fingerprint = models.CharField(max_length=64, editable=False, db_index=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    hold_reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    hold_reason_text = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Picked by a moderator (comments/featured.py): shown first, under "Featured", while approved.
    featured_at = models.DateTimeField(null=True, blank=True, editable=False)
    # For moderators only; the IP is truncated after COMMENTS_IP_RETENTION_DAYS by the
    # scrub_comment_ips management command.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    ip_scrubbed = models.BooleanField(default=False)
    user_agent = models.CharField(max_length=300, blank=True)
    reply_notified = models.BooleanField(default=False, editable=False)
    report_count = models.PositiveIntegerField(default=0, editable=False)
    # Comments brought from another system (comments/importing/): which system, which
    # site of it (a WordPress base URL, a Disqus forum: ids are only unique per site) and
    # their id there, so a second import of the same export adds nothing and an export
    # of another site skips nothing. Rows imported before origins were kept have "".
    import_source = models.CharField(max_length=20, blank=True, editable=False)
    import_origin = models.CharField(max_length=200, blank=True, editable=False)
    external_id = models.CharField(max_length=100, blank=True, editable=False)

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
            # Has this reader commented on this article (viewer_facts, for a reader with
            # comments on too many articles to keep in their record): one index probe.
            models.Index(fields=["article", "author"], name="comment_article_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(depth__lte=MAX_DEPTH), name="comment_depth_at_most_max"
            ),
            # A top-level comment has depth 0 and is its own thread (empty only for the
            # instant between its INSERT and the UPDATE that names it, inside save()).
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0)
                & (Q(thread__isnull=True) | Q(thread=F("pk")))
                | Q(parent__isnull=False, depth__gt=0, thread__isnull=False),
                name="comment_root_or_reply_shape",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="comment_not_its_own_parent"),
            models.UniqueConstraint(
                fields=["import_source", "import_origin", "external_id"],
                condition=~Q(import_source=""),
                name="comment_imported_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author.public_name}"

    def save(self, *args, **kwargs):
        self.derive_thread()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and DERIVED_FIELDS & set(update_fields):
            kwargs["update_fields"] = set(update_fields) | {
                "article",
                "depth",
                "thread",
                "in_reply_to",
            }
        if self.thread_id is not None:
            return super().save(*args, **kwargs)
        # A new top-level comment is its own thread: its id exists only after the INSERT.
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)
            self.thread_id = self.pk
            type(self)._base_manager.using(using).filter(pk=self.pk).update(thread=self.pk)
        return None

    def get_absolute_url(self) -> str:
        """The permalink: it finds the thread's page, however long the thread grows."""
        return reverse("comments:permalink", args=[self.pk])

    written_reads = ("author_id",)

    def written(self, before: dict | None) -> None:
        """A new comment, or one moved to another author, changes their readers' records
        (comments/signals.py; `update()` and `bulk_create()` say so the same way)."""
        old = before.get("author_id") if before else None
        if before is None or old != self.author_id:
            readers_changed.send(sender=Comment, user_ids={self.author_id, old} - {None})

    def derive_thread(self) -> None:
        """Set depth, thread and article from the parent, so every write path (service,
        ORM, admin, import, bulk_create) leaves the thread right.

        A reply to a third-level comment joins the third level, as the service always
        did, and keeps the comment it answered in `in_reply_to`. A reply on another
        article than its parent's raises ValidationError.
        """
        parent = self.parent
        if parent is None:
            self.depth = 0
            self.thread_id = self.pk  # None until inserted; save() fills it in then
            return
        if self.pk is not None and parent.pk == self.pk:
            raise ValidationError({"parent": "A comment cannot reply to itself."})
        answered = parent
        while parent.depth >= MAX_DEPTH:
            parent = parent.parent
        if parent is not answered:
            self.in_reply_to = answered
        elif parent.depth < MAX_DEPTH - 1:  # not at the cap: nothing was moved
            self.in_reply_to = None
        self.parent = parent
        if self.article_id is None:
            self.article_id = parent.article_id
        elif self.article_id != parent.article_id:
            raise ValidationError({"parent": "A reply belongs to its parent's article."})
        self.depth = parent.depth + 1
        self.thread_id = parent.thread_id if parent.depth else parent.pk

    def clean(self) -> None:
        super().clean()
        if self.parent_id is not None:
            self.derive_thread()

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
        FEATURE = "feature", "Featured"
        UNFEATURE = "unfeature", "No longer featured"

    # SET_NULL, and `about` keeps what they pointed at: the log outlives every row it names.
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="log"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
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
    about = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="The comment, article and reader concerned, by id: kept if they go.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["comment", "-created_at"], name="modlog_comment_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor}"

    def save(self, *args, **kwargs):
        if not self.about:
            self.about = self.describe()
        super().save(*args, **kwargs)

    def describe(self) -> str:
        """Ids only (no personal data, so erasing an account leaves nothing here)."""
        parts = []
        if self.comment_id:
            parts.append(
                f"comment {self.comment_id} on article {self.comment.article_id}"
                f" by reader {self.comment.author_id}"
            )
        if self.subject_id:
            parts.append(f"reader {self.subject_id}")
        return "; ".join(parts)[:200]

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

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
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


class ImportedAuthor(models.Model):
    """Somebody whose comments came in an import and who had no confirmed account here.

    One per email address and name: commenters who shared an address keep their own
    names. Their comments are credited to `user`, an inactive account that can never log
    in, carries no email (so it never blocks a sign-up) and shows the name from the
    export. When a reader confirms the same email address, the comments move to them
    (`comments.importing.authors.claim`); an address alone never gives them to anyone.
    """

    key = models.CharField(
        max_length=500,
        unique=True,
        help_text="The email address and the name, or the source, its site and the name.",
    )
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=120, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="imported_identity"
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The reader who confirmed this email address and took the comments.",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key"]
        indexes = [models.Index(fields=["email"], name="imported_author_email_idx")]

    def __str__(self) -> str:
        return self.name or self.email or self.key
