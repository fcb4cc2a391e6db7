"""Mail to readers: every message has a text part and an HTML part with the site's name,
and a notice carries a one-step unsubscribe link and `List-Unsubscribe` headers.

Other apps (comments) send their notices through `notice_message`; allauth's mails get
their HTML part from `AccountAdapter.render_mail`.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

# Which notices a reader can turn off, and the User field that holds each choice.
NOTICES = {
    "reply": ("notify_on_reply", "replies to your comments"),
    "moderation": ("notify_on_moderation", "moderators' decisions on your comments"),
}
_SALT = "accounts.unsubscribe"


def sign_unsubscribe(user_id: int, what: str, *, salt: str, key: str = "n") -> str:
    """A one-step unsubscribe token: the reader's id and what to stop (under `key`),
    signed with SECRET_KEY and the caller's own salt. following/tokens.py signs its own."""
    return signing.dumps({"u": user_id, key: what}, salt=salt, compress=True)


def read_unsubscribe(token: str, *, salt: str, choices, key: str = "n") -> tuple[int, str] | None:
    """(user id, what) from a token signed with `salt`, or None for anything else (a bad
    signature, or what is not one of `choices`)."""
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get(key) not in choices:
        return None
    if not isinstance(data.get("u"), int):
        return None
    return data["u"], data[key]


def unsubscribe_token(user, notice: str) -> str:
    return sign_unsubscribe(user.pk, notice, salt=_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, notice) from a token we signed, or None for anything else."""
    return read_unsubscribe(token, salt=_SALT, choices=NOTICES)


def unsubscribe_url(user, notice: str) -> str:
    path = reverse("accounts:unsubscribe", args=[unsubscribe_token(user, notice)])
    return f"{settings.SITE_URL}{path}"


def html_part(*, subject: str, text: str, unsubscribe: str = "", notice_label: str = "") -> str:
    """The HTML twin of a plain-text mail: the same words, links clickable."""
    return render_to_string(
        "email/message.html",
        {
            "subject": subject,
            "text": text,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "unsubscribe_url": unsubscribe,
            "notice_label": notice_label,
        },
    )


def notice_message(
    *, user, notice: str, subject: str, text: str, to: list[str] | None = None
) -> EmailMultiAlternatives:
    """A notice to one reader that they can turn off in one step."""
    url = unsubscribe_url(user, notice)
    label = NOTICES[notice][1]
    subject = f"[{settings.SITE_NAME}] {subject}"
    body = (
        f"{text.rstrip()}\n\n-- \n{settings.SITE_NAME}: you receive this for {label}.\n"
        f"Turn these emails off: {url}\n"
    )
    message = EmailMultiAlternatives(
        subject,
        body,
        to=to or [user.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs.
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        html_part(subject=subject, text=text, unsubscribe=url, notice_label=label), "text/html"
    )
    return message


def plain_message(*, subject: str, text: str, bcc: list[str]) -> EmailMultiAlternatives:
    """A service mail (to moderators), with its HTML part."""
    subject = f"[{settings.SITE_NAME}] {subject}"
    message = EmailMultiAlternatives(subject, text, bcc=bcc)
    message.attach_alternative(html_part(subject=subject, text=text), "text/html")
    return message
