"""The briefing and story-update mail: HTML and plain text in the site's look, with
RFC 2369 / RFC 8058 unsubscribe headers (a mailto and a one-click HTTPS POST)."""

from __future__ import annotations

from email.utils import parseaddr
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from . import tokens


def unsubscribe_url(token: str) -> str:
    path = reverse("following:unsubscribe", args=[token])
    return f"{settings.SITE_URL}{path}"


def _mailto(token: str) -> str:
    address = settings.FOLLOWING_UNSUBSCRIBE_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return f"mailto:{address}?subject={quote('unsubscribe ' + token)}"


def briefing_message(
    *, user, day, stories: list, updates: list, with_briefing: bool
) -> EmailMultiAlternatives:
    """One reader's mail of the day: the top stories (a briefing: edition.Block's, each
    rendered once for all readers) and/or updates on the stories they follow."""
    what = "briefing" if with_briefing else "updates"
    token = tokens.make(user.pk, what)
    url = unsubscribe_url(token)
    context = {
        "user": user,
        "day": day,
        "stories": stories,
        "updates": updates,
        "with_briefing": with_briefing,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "following_url": settings.SITE_URL + reverse("following:page"),
        "settings_url": settings.SITE_URL + reverse("accounts:profile_edit") + "#following-mail",
        "unsubscribe_url": url,
    }
    if with_briefing:
        subject = f"Your briefing: {stories[0].title}" if stories else "Your briefing"
    else:
        subject = f"News on {len(updates)} stor{'y' if len(updates) == 1 else 'ies'} you follow"
    message = EmailMultiAlternatives(
        f"[{settings.SITE_NAME}] {subject}",
        render_to_string("following/email/briefing.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{_mailto(token)}>, <{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{settings.SITE_NAME} {what} <{what}.following.{_host()}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("following/email/briefing.html", context), "text/html"
    )
    return message


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
