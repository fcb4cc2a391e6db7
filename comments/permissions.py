"""Who may comment and who may moderate: small checks shared by views, services and tags."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.core.cache import caches
from django.utils import timezone

from accounts.services import has_confirmed_email
from serving.cache import tag_token

from .models import Ban, Comment

TRUSTED_GROUP = "Trusted readers"
MODERATE_PERM = "comments.moderate_comment"


def active_ban(user) -> Ban | None:
    """The ban that runs longest, if the reader is banned now (expiry checked here)."""
    if not user.is_authenticated:
        return None
    bans = list(Ban.objects.active().filter(user=user))
    if not bans:
        return None
    forever = [b for b in bans if b.until is None]
    return forever[0] if forever else max(bans, key=lambda b: b.until)


def can_comment(user) -> bool:
    """Signed in, active, confirmed email and not banned."""
    return (
        user.is_authenticated
        and user.is_active
        and has_confirmed_email(user)
        and active_ban(user) is None
    )


def is_trusted(user) -> bool:
    """Staff and members of the "Trusted readers" group skip pre-moderation."""
    if user.is_staff:
        return True
    return user.groups.filter(name=TRUSTED_GROUP).exists()


def can_moderate(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(MODERATE_PERM)


BANNED_MAY = (
    "You can still read the discussions and remove your own comments; you cannot post,"
    " reply, edit or report comments."
)


def as_sentence(text: str) -> str:
    """Text ending with exactly one full stop (or its own ! or ?): moderators type reasons
    with or without one."""
    text = (text or "").strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def ban_message(ban: Ban) -> str:
    """What a banned reader reads: until when, why, and what they may still do."""
    if ban.until is None:
        text = "You can no longer comment on this site."
    else:
        until = timezone.localtime(ban.until)
        text = f"You cannot comment until {until:%d %b %Y, %H:%M} {until.tzname()}."
    if ban.reason:
        text += f" Reason: {as_sentence(ban.reason)}"
    return f"{text} {BANNED_MAY}"


@dataclass(frozen=True)
class ViewerFacts:
    """What the article page's comments section needs to know about its reader."""

    confirmed: bool = False
    banned: bool = False
    # Any comment of theirs on this article: their thread shows their pending comments
    # and Edit/Remove links, so it cannot be the thread every other reader shares.
    has_own: bool = False


# A reader's record: what their facts on any article page are computed from. Kept per
# reader in the fragments cache under the version of their tag (`reader_tag`), which
# comments/signals.py bumps when they comment, confirm or drop an address, or are banned
# or unbanned; so an article view reads it from this process's memory, not the database.
READER_RECORD_PREFIX = "reader-record:v1:"
READER_RECORD_TIMEOUT = 3600  # the key carries the tag's version: this only frees memory
# A reader who commented on more articles than this asks the database per article: their
# record would cost more to unpickle on every page than the query it saves.
READER_ARTICLES_KEPT = 500


def reader_tag(user_id: int) -> str:
    return f"reader:{user_id}"


@dataclass(frozen=True)
class ReaderRecord:
    verified: frozenset[str]  # their confirmed addresses, lower-cased
    ban_ends: tuple  # the end of each ban not lifted (None: for good); expiry is per view
    articles: frozenset[int] | None  # articles with a comment of theirs; None: too many


def reader_record(user) -> ReaderRecord:
    """The reader's record, from this process's memory or the shared cache; three small
    queries when their tag changed.

    Freshness: their own requests are the only ones that read `reader:<id>`, and each
    server keeps a version it read for PAGE_CACHE_LOCAL_SECONDS (0.5 s): a reader's first
    comment, written on one server, is in their record on every other server unless they
    loaded an article page there in the half second before they posted it."""
    token = tag_token(reader_tag(user.pk))
    key = f"{READER_RECORD_PREFIX}{user.pk}:{token}"
    fragments = caches["fragments"]
    record = fragments.get(key)
    if record is None:
        record = _read_record(user)
        if not token.startswith("unknown"):  # the cache cannot tell the version: not kept
            fragments.set(key, record, READER_RECORD_TIMEOUT)
    return record


def _read_record(user) -> ReaderRecord:
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    bans = Ban.objects.filter(user=user, lifted_at__isnull=True).values_list("until", flat=True)
    articles = list(
        Comment.objects.filter(author=user)
        .order_by()
        .values_list("article_id", flat=True)
        .distinct()[: READER_ARTICLES_KEPT + 1]
    )
    return ReaderRecord(
        verified=frozenset(email.lower() for email in verified),
        ban_ends=tuple(bans),
        articles=frozenset(articles) if len(articles) <= READER_ARTICLES_KEPT else None,
    )


def viewer_facts(user, article) -> ViewerFacts:
    """Confirmed email, banned now, own comments on `article`: from the reader's record
    (`reader_record`), so usually no query.

    The rules are the same as has_confirmed_email(), BanQuerySet.active() and Comment's
    author/article; the tests hold them to it."""
    if not user.is_authenticated:
        return ViewerFacts()
    record = reader_record(user)
    now = timezone.now()
    # The same rule as accounts.services.has_confirmed_email: an active, undeleted reader
    # whose sign-in address is confirmed.
    confirmed = (
        user.is_active and not user.is_deleted and (user.email or "").lower() in record.verified
    )
    banned = any(end is None or end > now for end in record.ban_ends)
    if record.articles is None:
        has_own = Comment.objects.filter(article_id=article.pk, author_id=user.pk).exists()
    else:
        has_own = article.pk in record.articles
    return ViewerFacts(confirmed=bool(confirmed), banned=banned, has_own=has_own)
