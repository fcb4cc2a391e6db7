"""Every write about comments: posting, editing, removing, moderating, banning, reporting.

Views, admin actions and tests call these functions alike. Each decision writes a
ModerationLog row; nothing is hard-deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q
from django.utils import timezone

from . import notify
from .models import Ban, Comment, ModerationLog, Reason, Report, Status
from .permissions import (
    active_ban,
    ban_message,
    can_moderate,
    has_confirmed_email,
    is_trusted,
)
from .rules import (
    CommentRefused,
    Verdict,
    check_flood,
    check_length,
    check_refusals,
    decide,
    decide_edit,
    fingerprint,
    last_posted,
    normalise_body,
)

Action = ModerationLog.Action


def _log(
    *,
    comment: Comment | None,
    action: str,
    moderator=None,
    reason: str = "",
    from_status: str = "",
    to_status: str = "",
    subject=None,
) -> ModerationLog:
    return ModerationLog.objects.create(
        comment=comment,
        subject=subject,
        action=action,
        moderator=moderator,
        reason=reason[:300],
        from_status=from_status,
        to_status=to_status,
    )


def _require_moderator(user) -> None:
    if not can_moderate(user):
        raise PermissionDenied("Only moderators can do that.")


def post_comment(
    *,
    article,
    author,
    body: str,
    parent: Comment | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    now: datetime | None = None,
) -> Comment:
    """Run the rules and store the comment with the status they decide.

    Raises CommentRefused (nothing stored) with a message and an HTTP status for the reader.
    """
    now = now or timezone.now()
    if not author.is_authenticated or not author.is_active:
        raise CommentRefused("login", "Log in to comment.", 403)
    ban = active_ban(author)
    if ban is not None:
        raise CommentRefused(Reason.BANNED, ban_message(ban), 403)
    if not has_confirmed_email(author):
        raise CommentRefused("unconfirmed", "Confirm your email address before you comment.", 403)
    if parent is not None:
        if parent.article_id != article.pk or parent.status != Status.APPROVED:
            raise CommentRefused("parent", "You can only reply to a published comment.", 400)
    body = normalise_body(body)
    check_refusals(author=author, article=article, body=body, now=now)
    return _store_comment(
        article=article,
        author=author,
        parent=parent,
        body=body,
        ip_address=ip_address,
        user_agent=user_agent,
        now=now,
    )


def _store_comment(*, article, author, parent, body, ip_address, user_agent, now) -> Comment:
    verdict = decide(author=author, body=body, now=now, trusted=is_trusted(author))
    with transaction.atomic():
        # Rule 4 (flood), under a lock on the reader's row: of two posts at once (two
        # app servers), the second waits for the first and sees its comment. One query
        # (SQLite ignores the lock: its IMMEDIATE transactions serialize writers).
        last = settings.COMMENTS_FLOOD_SECONDS and (
            get_user_model()
            .objects.select_for_update(no_key=True)
            .filter(pk=author.pk)
            .annotate(last=last_posted(OuterRef("pk"), now))
            .values_list("last", flat=True)
            .first()
        )
        check_flood(last or None, now)
        comment = Comment.objects.create(
            article=article,
            author=author,
            parent=parent,  # save() derives thread and depth (a third level stays third)
            body=body,
            fingerprint=fingerprint(body),
            status=verdict.status,
            hold_reason=verdict.reason,
            hold_reason_text=verdict.reason_text,
            created_at=now,
            ip_address=ip_address or None,
            user_agent=(user_agent or "")[:300],
        )
        _log(
            comment=comment,
            action=Action.POSTED,
            to_status=verdict.status,
            reason=verdict.reason_text,
        )
        if comment.status == Status.APPROVED:
            notify.on_reply_published(comment)
    return comment


def edit_comment(*, comment: Comment, author, body: str, now: datetime | None = None) -> Comment:
    """The author changes their text within the edit window; the content rules run again
    and an approved comment that now trips one goes back to pending."""
    now = now or timezone.now()
    if comment.author_id != author.pk:
        raise PermissionDenied("This is not your comment.")
    if comment.status not in (Status.PENDING, Status.APPROVED):
        raise CommentRefused("not_editable", "This comment can no longer be edited.", 403)
    ban = active_ban(author)
    if ban is not None:
        # A banned reader may take their words down (remove_comment), not change them.
        raise CommentRefused(Reason.BANNED, ban_message(ban), 403)
    if now - comment.created_at > timedelta(minutes=settings.COMMENTS_EDIT_MINUTES):
        raise CommentRefused(
            "edit_window",
            f"Comments can be edited for {settings.COMMENTS_EDIT_MINUTES} minutes only.",
            403,
        )
    body = normalise_body(body)
    check_length(body)
    verdict: Verdict | None = decide_edit(body=body, trusted=is_trusted(author))
    with transaction.atomic():
        before = comment.status
        comment.body = body
        comment.fingerprint = fingerprint(body)
        comment.edited_at = now
        if verdict is not None:
            comment.status = verdict.status
            comment.hold_reason = verdict.reason
            comment.hold_reason_text = verdict.reason_text
        comment.save()
        _log(
            comment=comment,
            action=Action.EDITED,
            from_status=before,
            to_status=comment.status,
            reason=verdict.reason_text if verdict else "",
        )
    return comment


def remove_comment(*, comment: Comment, author) -> Comment:
    """The author takes their comment down; it keeps its place as a placeholder."""
    if comment.author_id != author.pk:
        raise PermissionDenied("This is not your comment.")
    if comment.status == Status.REMOVED:
        return comment
    with transaction.atomic():
        before = comment.status
        comment.status = Status.REMOVED
        comment.save(update_fields=["status"])
        _log(comment=comment, action=Action.REMOVE, from_status=before, to_status=Status.REMOVED)
    return comment


def _replies_of(comment: Comment) -> list[Comment]:
    # Threads are at most three levels deep, so children and grandchildren are all.
    return list(
        Comment.objects.filter(Q(parent=comment) | Q(parent__parent=comment))
        .exclude(status=Status.REMOVED)
        .select_related("author", "article", "parent__author")
    )


def _moderate(
    *,
    comment: Comment,
    moderator,
    to_status: str,
    action: str,
    reason: str,
    also_replies: bool,
    notify_author: bool = True,
) -> list[Comment]:
    _require_moderator(moderator)
    targets = [comment] + (_replies_of(comment) if also_replies else [])
    changed = []
    with transaction.atomic():
        for target in targets:
            before = target.status
            # A decision answers the readers' reports, whatever it is ("keep" included).
            resolved = (
                Report.objects.open().filter(comment=target).update(resolved_at=timezone.now())
            )
            if before == to_status:
                if resolved:
                    _log(
                        comment=target,
                        action=action,
                        moderator=moderator,
                        reason=reason or "Reports dismissed",
                        from_status=before,
                        to_status=to_status,
                    )
                    changed.append(target)
                continue
            target.status = to_status
            if to_status == Status.APPROVED:
                target.hold_reason, target.hold_reason_text = "", ""
            target.save(update_fields=["status", "hold_reason", "hold_reason_text"])
            _log(
                comment=target,
                action=action,
                moderator=moderator,
                reason=reason,
                from_status=before,
                to_status=to_status,
            )
            changed.append(target)
            if to_status == Status.APPROVED:
                notify.on_reply_published(target)
            if notify_author and to_status in (Status.APPROVED, Status.REJECTED):
                notify.on_decision(target, approved=to_status == Status.APPROVED, reason=reason)
    return changed


def comment_approve(
    *, comment: Comment, moderator, reason: str = "", also_replies: bool = False
) -> list[Comment]:
    """Publish the comment (and its replies if asked). Returns the comments changed."""
    return _moderate(
        comment=comment,
        moderator=moderator,
        to_status=Status.APPROVED,
        action=Action.APPROVE,
        reason=reason,
        also_replies=also_replies,
    )


def comment_reject(
    *, comment: Comment, moderator, reason: str = "", also_replies: bool = False
) -> list[Comment]:
    """Withhold the comment from the public; the author is told, with the reason."""
    return _moderate(
        comment=comment,
        moderator=moderator,
        to_status=Status.REJECTED,
        action=Action.REJECT,
        reason=reason,
        also_replies=also_replies,
    )


def comment_mark_spam(
    *, comment: Comment, moderator, reason: str = "", also_replies: bool = False
) -> list[Comment]:
    """Mark as spam: hidden, counted in the author's record, no email (spammers learn
    nothing)."""
    return _moderate(
        comment=comment,
        moderator=moderator,
        to_status=Status.SPAM,
        action=Action.SPAM,
        reason=reason,
        also_replies=also_replies,
        notify_author=False,
    )


def comment_restore(
    *, comment: Comment, moderator, reason: str = "", also_replies: bool = False
) -> list[Comment]:
    """Undo the latest status change of each comment, read back from the log."""
    _require_moderator(moderator)
    targets = [comment] + (_replies_of(comment) if also_replies else [])
    changed = []
    with transaction.atomic():
        for target in targets:
            last = (
                ModerationLog.objects.filter(comment=target)
                .exclude(from_status="")
                .exclude(from_status=F("to_status"))
                .order_by("-created_at", "-id")
                .first()
            )
            if last is None or last.to_status != target.status:
                continue
            before = target.status
            target.status = last.from_status
            target.save(update_fields=["status"])
            _log(
                comment=target,
                action=Action.RESTORE,
                moderator=moderator,
                reason=reason,
                from_status=before,
                to_status=target.status,
            )
            changed.append(target)
    return changed


def ban_user(
    *,
    user,
    moderator,
    until: datetime | None,
    reason: str,
    reject_pending: bool = False,
) -> Ban:
    """Suspend a reader from commenting until a time (None: for good).

    Moderators ban readers, not colleagues: an editor's or another moderator's account
    (any staff account) can be banned only by a superuser. A dispute between staff is
    settled by whoever manages the staff accounts, not by one moderator silencing
    another (docs/security.md)."""
    _require_moderator(moderator)
    if user.pk == moderator.pk:
        raise PermissionDenied("You cannot ban yourself.")
    if (user.is_staff or user.is_superuser) and not moderator.is_superuser:
        raise PermissionDenied(
            "Staff accounts cannot be banned by a moderator: ask an administrator."
        )
    with transaction.atomic():
        ban = Ban.objects.create(user=user, until=until, reason=reason, moderator=moderator)
        _log(
            comment=None,
            subject=user,
            action=Action.BAN,
            moderator=moderator,
            reason=reason,
        )
        if reject_pending:
            for comment in Comment.objects.filter(author=user, status=Status.PENDING):
                _moderate(
                    comment=comment,
                    moderator=moderator,
                    to_status=Status.REJECTED,
                    action=Action.REJECT,
                    reason=f"Reader banned: {reason}",
                    also_replies=False,
                    notify_author=False,
                )
    return ban


def lift_ban(*, ban: Ban, moderator, reason: str = "") -> Ban:
    """End a ban now; the ban row stays for the record."""
    _require_moderator(moderator)
    if ban.lifted_at is not None:
        return ban
    with transaction.atomic():
        ban.lifted_at = timezone.now()
        ban.save(update_fields=["lifted_at"])
        _log(
            comment=None,
            subject=ban.user,
            action=Action.LIFT_BAN,
            moderator=moderator,
            reason=reason,
        )
    return ban


def report_comment(*, comment: Comment, reporter, category: str, note: str = "") -> Report:
    """A reader reports a published comment, once, with a category and an optional note.

    The comment shows in the moderators' "Reported" view from the first report. When its
    open reports reach COMMENTS_REPORT_THRESHOLD an approved comment is also hidden
    (back to pending, `reported`) and the moderators get one email.
    """
    if not reporter.is_authenticated:
        raise PermissionDenied("Log in to report a comment.")
    if not has_confirmed_email(reporter):
        # Throwaway accounts must not push comments back into the queue.
        raise CommentRefused("unconfirmed", "Confirm your email address to report.", 403)
    if active_ban(reporter) is not None:
        raise CommentRefused(Reason.BANNED, "Banned readers cannot report comments.", 403)
    if comment.status != Status.APPROVED:
        raise CommentRefused("not_reportable", "This comment cannot be reported.", 404)
    if comment.author_id == reporter.pk:
        raise CommentRefused("own_comment", "You cannot report your own comment.", 403)
    if category not in Report.Category.values:
        raise CommentRefused("no_category", "Choose what is wrong with this comment.", 400)
    note = (note or "").strip()[:300]
    try:
        with transaction.atomic():
            report = Report.objects.create(
                comment=comment, reporter=reporter, category=category, reason=note
            )
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
            locked = Comment.objects.select_for_update().get(pk=comment.pk)
            comment.report_count = locked.report_count
            threshold = settings.COMMENTS_REPORT_THRESHOLD
            open_reports = Report.objects.open().filter(comment=comment).count()
            if open_reports >= threshold and locked.status == Status.APPROVED:
                comment.status = Status.PENDING
                comment.hold_reason = Reason.REPORTED
                comment.hold_reason_text = Reason.REPORTED.label
                comment.save(update_fields=["status", "hold_reason", "hold_reason_text"])
                _log(
                    comment=comment,
                    action=Action.REPORTED,
                    from_status=Status.APPROVED,
                    to_status=Status.PENDING,
                    reason=f"{open_reports} reports",
                )
                notify.on_report_threshold(comment)
    except IntegrityError:
        raise CommentRefused(
            "already_reported", "You have already reported this comment.", 400
        ) from None
    return report
