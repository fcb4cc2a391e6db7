"""Who may comment and who may moderate: small checks shared by views, services and tags."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import connection
from django.utils import timezone

from accounts.services import has_confirmed_email

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


def viewer_facts(user, article) -> ViewerFacts:
    """Confirmed email, banned now, own comments on `article`: one query for all three.

    Plain SQL because it runs on every signed-in article view and the ORM's compiling of
    three EXISTS subqueries cost more than the query itself. The rules are the same as
    has_confirmed_email(), BanQuerySet.active() and Comment's author/article; the tests
    hold them to it.
    """
    if not user.is_authenticated:
        return ViewerFacts()
    sql = (
        "SELECT"
        f" EXISTS(SELECT 1 FROM {EmailAddress._meta.db_table} WHERE user_id = %s AND verified"
        "  AND LOWER(email) = LOWER(%s)),"
        f" EXISTS(SELECT 1 FROM {Ban._meta.db_table} WHERE user_id = %s"
        "  AND lifted_at IS NULL AND (until IS NULL OR until > %s)),"
        f" EXISTS(SELECT 1 FROM {Comment._meta.db_table} WHERE article_id = %s AND author_id = %s)"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.email, user.pk, now, article.pk, user.pk])
        confirmed, banned, has_own = cursor.fetchone()
    # The same rule as accounts.services.has_confirmed_email: an active, undeleted reader.
    confirmed = bool(confirmed) and user.is_active and not user.is_deleted
    return ViewerFacts(confirmed=confirmed, banned=bool(banned), has_own=bool(has_own))
