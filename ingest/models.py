"""Feed fetching bookkeeping: what the importer remembers between polls of a source.

Kept apart from `articles.Source` on purpose: readers never see it, so writing it (every
poll, changed or not) must not make any cached page stale.
"""

from __future__ import annotations

from django.db import models

from articles.models import Source


class FeedState(models.Model):
    """One row per source that has been fetched: conditional GET validators and errors."""

    source = models.OneToOneField(
        Source, on_delete=models.CASCADE, primary_key=True, related_name="feed_state"
    )
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    body_sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of the last body of the feed imported without an error: the same "
        "body again is not parsed (for servers without ETag or Last-Modified).",
    )
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    repairs = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the last body read needed before it parsed: HTML entities mapped, "
        "stray & escaped, control characters dropped, an encoding detected.",
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    full_text_note = models.CharField(
        max_length=500,
        blank=True,
        help_text="Full text: how the last fetch of linked articles went, and why an article "
        "kept its summary (HTTP 403, paywall, too little text...).",
    )
    # The poll schedule (ingest/scheduling.py).
    next_poll_at = models.DateTimeField(
        null=True, blank=True, help_text="When the scheduler polls this feed next."
    )
    poll_interval = models.PositiveIntegerField(
        default=0, help_text="Seconds between polls, adapted to how often the feed publishes."
    )
    last_result = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "feed state"
        indexes = [models.Index(fields=["next_poll_at"], name="feedstate_next_poll_idx")]

    def __str__(self) -> str:
        return f"Feed state of {self.source}"

    @classmethod
    def of(cls, source: Source) -> FeedState:
        """The source's state, created (unsaved) on first use."""
        try:
            return source.feed_state
        except cls.DoesNotExist:
            return cls(source=source)


class DeletedEntry(models.Model):
    """A tombstone: the GUID of an imported article an editor deleted, so the next poll
    does not import it again (written by ingest/signals.py when the article is deleted)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    guid = models.CharField(max_length=500)
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deleted entries"
        constraints = [
            models.UniqueConstraint(fields=["source", "guid"], name="deletedentry_source_guid")
        ]

    def __str__(self) -> str:
        return f"{self.source_id}: {self.guid}"


class PendingImage(models.Model):
    """A lead image that could not be fetched: tried again on later polls of the feed,
    with the task queue's backoff (jobs.retry.retry_delay), TASKS_MAX_ATTEMPTS times."""

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    url = models.URLField(max_length=500)
    attempts = models.PositiveIntegerField(default=1)
    retry_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.url


class HostSlot(models.Model):
    """Politeness towards the sites full text is fetched from, shared by every worker:
    one request at a time per host (`held_until`), and a pause between two requests
    (`next_allowed_at`). Claimed with a conditional UPDATE (ingest/hosts.py)."""

    host = models.CharField(max_length=255, primary_key=True)
    next_allowed_at = models.DateTimeField()
    held_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.host
