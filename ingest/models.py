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
    consecutive_failures = models.PositiveIntegerField(default=0)
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
