"""Emails about comments, sent after the transaction commits (never from a signal).

Readers choose which notices they get on their profile: `User.notify_on_reply` and
`User.notify_on_moderation` (accounts app, both on by default).
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from accounts.mail import notice_message, plain_message

from .models import Comment

log = logging.getLogger(__name__)

MODERATORS_GROUP = "Moderators"


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _excerpt(text: str, size: int = 300) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _send_notice(user, notice: str, subject: str, text: str) -> None:
    # Built after the commit, so the mail reads what was committed.
    notice_message(user=user, notice=notice, subject=subject, text=text).send()


def on_decision(comment: Comment, *, approved: bool, reason: str = "") -> None:
    """Tell the author a moderator approved or rejected their comment."""
    author = comment.author
    if not author.email or not author.notify_on_moderation:
        return
    article = comment.article
    if approved:
        subject = "Your comment is published"
        url = _link(comment.get_absolute_url())
        text = f'Your comment on "{article.title}" is now published:\n{url}'
    else:
        subject = "Your comment was not published"
        text = f'A moderator did not publish your comment on "{article.title}".'
        if reason:
            text += f"\nReason: {reason}"
    text += f"\n\nYour comment:\n{_excerpt(comment.body)}\n"
    transaction.on_commit(partial(_send_notice, author, "moderation", subject, text), robust=True)


def on_reply_published(reply: Comment) -> None:
    """Tell the parent's author about a published reply (once per reply)."""
    parent = reply.parent
    if parent is None or reply.reply_notified:
        return
    Comment.objects.filter(pk=reply.pk).update(reply_notified=True)
    reply.reply_notified = True
    author = parent.author
    if author.pk == reply.author_id or not author.email:
        return
    if not author.notify_on_reply:
        return
    text = (
        f'{reply.author.public_name} replied to your comment on "{reply.article.title}":\n\n'
        f"{_excerpt(reply.body)}\n\n{_link(reply.get_absolute_url())}\n"
    )
    transaction.on_commit(
        partial(_send_notice, author, "reply", "New reply to your comment", text), robust=True
    )


def on_report_threshold(comment: Comment) -> None:
    """One email to every moderator when a comment reaches the report threshold."""
    emails = list(
        get_user_model()
        .objects.filter(groups__name=MODERATORS_GROUP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    queue = _link(reverse("comments:queue") + f"?status=pending&comment={comment.pk}")
    text = (
        f'A comment on "{comment.article.title}" has {comment.report_count} reports and is '
        f"back in the moderation queue.\n\n{_excerpt(comment.body)}\n\n{queue}\n"
    )
    subject = f"Comment reported {comment.report_count} times"
    if emails:
        # One message, moderators in Bcc so their addresses stay private.
        message = plain_message(subject=subject, text=text, bcc=emails)
        transaction.on_commit(message.send, robust=True)
