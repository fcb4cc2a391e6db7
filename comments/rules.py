"""The automatic rules, in their fixed order, each with its reason code.

1. too short / too long          refused (400), not stored        too_short, too_long
2. comments closed               refused (403), not stored        closed
3. duplicate of a recent comment refused (400), not stored        duplicate
4. flood (too soon after last)   refused (429), not stored        flood
5. blocked words                 stored as spam                   blocked_word
   -- trusted readers and staff are approved here --
6. watched words                 stored as pending                watched_word
7. too many links                stored as pending                links
8. the reader's history          stored as pending                new_reader, recent_rejections
9. site pre-moderation switch    stored as pending                premoderation
   otherwise                     approved                         passed

Rules 1-4 refuse (the reader keeps their text and reads the message); rules 5-9 decide
the status of a stored comment, and the moderator sees the reason code in the queue.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, Subquery

from accounts import text

from .models import Comment, ModerationLog, Reason, Status

URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)


class CommentRefused(Exception):
    """A rule refused the comment: nothing was stored. Carries a message for the reader."""

    def __init__(
        self, code: str, message: str, http_status: int = 400, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.retry_after = retry_after  # seconds, for the 429's Retry-After


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str

    @property
    def reason_text(self) -> str:
        return Reason(self.reason).label if self.reason else ""


def normalise_body(body: str) -> str:
    """NFKC (accounts/text.py), unified line endings, trimmed ends; otherwise as typed."""
    return text.normalise(body).replace("\r\n", "\n").replace("\r", "\n").strip()


def fingerprint(body: str) -> str:
    """Same words, same fingerprint: case and spacing do not make a comment new."""
    collapsed = " ".join(body.casefold().split())
    return hashlib.sha256(collapsed.encode()).hexdigest()


def comments_open(article, now: datetime) -> bool:
    """Per-article switch, then the optional automatic closing after N days."""
    if not article.comments_enabled:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if days and article.published_at and article.published_at + timedelta(days=days) <= now:
        return False
    return True


def _words_re(words: list[str]) -> re.Pattern | None:
    words = [w for w in words if w]
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def check_length(body: str) -> None:
    """Rule 1, counting only visible characters; control characters (NUL) refused."""
    if text.has_control_characters(body):
        raise CommentRefused(
            "control_characters",  # refused, never stored: no Reason needed
            "Your comment contains a control character (such as NUL) that cannot be "
            "stored. Remove it and post again.",
        )
    low, high = settings.COMMENTS_MIN_LENGTH, settings.COMMENTS_MAX_LENGTH
    if len(text.visible(body).strip()) < low:
        raise CommentRefused(
            Reason.TOO_SHORT, f"Your comment is too short: write at least {low} characters."
        )
    if len(body) > high:
        raise CommentRefused(
            Reason.TOO_LONG,
            f"Your comment is too long: {len(body):,} characters, the limit is {high:,}.",
        )


def check_refusals(*, author, article, body: str, now: datetime) -> None:
    """Rules 1-3, in order. Raises CommentRefused; stores nothing.

    Rule 4 (flood) is checked where the comment is stored, under a lock on the reader's
    row (`flood_wait`, services._store_comment), so two posts at once cannot both pass.
    """
    check_length(body)
    if not comments_open(article, now):
        raise CommentRefused(Reason.CLOSED, "Comments on this article are closed.", 403)
    since = now - timedelta(hours=settings.COMMENTS_DUPLICATE_HOURS)
    if Comment.objects.filter(
        author=author, fingerprint=fingerprint(body), created_at__gte=since
    ).exists():
        raise CommentRefused(Reason.DUPLICATE, "You have already posted this comment.")


def last_posted(author_pk, now: datetime):
    """A subquery: when the reader last posted through these rules within
    COMMENTS_FLOOD_SECONDS of `now` (their comments with a "posted" log row; imported
    ones never were posted here), else NULL. The (author, created_at) index finds them.

    Derived from the stored comments, never from the cache: without Redis each gunicorn
    worker has its own memory, so a slot kept there let a second post through on
    another worker 22 ms later (issue 33). The comments are the one record every app
    server, the web and the API share."""
    return Subquery(
        Comment.objects.filter(
            author=author_pk,
            created_at__gt=now - timedelta(seconds=settings.COMMENTS_FLOOD_SECONDS),
            log__action=ModerationLog.Action.POSTED,
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )


def check_flood(last: datetime | None, now: datetime) -> None:
    """Rule 4: refused (429) when the reader's last post (`last_posted`) is less than
    COMMENTS_FLOOD_SECONDS old; `retry_after` is what is left of the interval."""
    seconds = settings.COMMENTS_FLOOD_SECONDS
    if not seconds or last is None:
        return
    left = math.ceil(seconds - (now - last).total_seconds())
    raise CommentRefused(
        Reason.FLOOD,
        f"You are commenting too fast. Please wait {seconds} seconds between comments.",
        429,
        retry_after=min(max(left, 1), seconds),
    )


def content_verdict(body: str) -> Verdict | None:
    """Rules 5-7 (what the text says), or None when the text passes."""
    blocked = _words_re(settings.COMMENTS_BLOCKED_WORDS)
    if blocked and blocked.search(body):
        return Verdict(Status.SPAM, Reason.BLOCKED_WORD)
    watched = _words_re(settings.COMMENTS_WATCHED_WORDS)
    if watched and watched.search(body):
        return Verdict(Status.PENDING, Reason.WATCHED_WORD)
    if len(URL_RE.findall(body)) >= settings.COMMENTS_MAX_LINKS:
        return Verdict(Status.PENDING, Reason.LINKS)
    return None


def history_verdict(author, now: datetime) -> Verdict | None:
    """Rule 8: new readers until N approved comments; recent rejections pre-moderate again."""
    since = now - timedelta(days=settings.COMMENTS_HISTORY_DAYS)
    record = Comment.objects.filter(author=author).aggregate(
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
        rejected=Count(
            "pk",
            filter=Q(status__in=[Status.REJECTED, Status.SPAM], created_at__gte=since),
        ),
    )
    if record["approved"] < settings.COMMENTS_TRUSTED_AFTER:
        return Verdict(Status.PENDING, Reason.NEW_READER)
    if record["rejected"]:
        return Verdict(Status.PENDING, Reason.RECENT_REJECTIONS)
    return None


def decide(*, author, body: str, now: datetime, trusted: bool) -> Verdict:
    """Rules 5-9 for a new comment that passed the refusals."""
    verdict = content_verdict(body)
    if verdict and verdict.status == Status.SPAM:
        # Blocked words apply to everyone: a trusted account can be taken over.
        return verdict
    if trusted:
        return Verdict(Status.APPROVED, Reason.TRUSTED)
    if verdict:
        return verdict
    verdict = history_verdict(author, now)
    if verdict:
        return verdict
    if settings.COMMENTS_PREMODERATE:
        return Verdict(Status.PENDING, Reason.PREMODERATION)
    return Verdict(Status.APPROVED, Reason.PASSED)


def decide_edit(*, body: str, trusted: bool) -> Verdict | None:
    """An edited comment: the content rules and the site switch again (not the history:
    the reader's record has not changed). None: the edit keeps the comment's status.
    An edit that trips a rule is held (never straight to spam: the reader is known)."""
    verdict = content_verdict(body)
    if verdict and verdict.status == Status.SPAM:
        return Verdict(Status.PENDING, Reason.BLOCKED_WORD)
    if trusted:
        return None
    if verdict:
        return verdict
    if settings.COMMENTS_PREMODERATE:
        return Verdict(Status.PENDING, Reason.PREMODERATION)
    return None
