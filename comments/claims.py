"""Readers claiming comments imported under an address they had confirmed before.

A new address is claimed when it is confirmed (comments/signals.py). An address
confirmed before the import cannot be confirmed again, and an export naming it is no
proof (docs/comments.md), so the reader asks for a link mailed to that address: following
it, signed in as themselves, is the confirmation, and the comments move to them
(`comments.importing.authors.claim`).
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db.models import Count, Subquery
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.http import urlencode

from accounts.mail import plain_message

from .models import ImportedAuthor

SALT = "comments.claim-imported"
MAX_AGE = timedelta(days=3)


def claimable(user) -> dict[str, int]:
    """The reader's confirmed addresses under which imported comments wait, with how
    many (one query)."""
    confirmed = (
        EmailAddress.objects.filter(user=user, verified=True)
        .annotate(lower=Lower("email"))
        .values("lower")
    )
    rows = (
        ImportedAuthor.objects.filter(claimed_by__isnull=True)
        .annotate(lower=Lower("email"))
        .filter(lower__in=Subquery(confirmed))
        .values("lower")
        .annotate(comments=Count("user__comments"))
        .values_list("lower", "comments")
    )
    found: dict[str, int] = {}
    for email, comments in rows:
        found[email] = found.get(email, 0) + comments
    return found


def claim_token(user, email: str) -> str:
    return signing.dumps({"u": user.pk, "e": email.lower()}, salt=SALT, compress=True)


def read_claim_token(token: str, user) -> str | None:
    """The address a token is for, if it was made for this reader in the last three
    days and the address is still one they confirmed."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk:
        return None
    email = data.get("e")
    if not isinstance(email, str):
        return None
    if not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
        return None
    return email


def send_claim_link(*, user, email: str, count: int) -> None:
    link = reverse("comments:claim_confirm") + "?" + urlencode({"t": claim_token(user, email)})
    text = (
        f"Hello {user.public_name},\n\n"
        f"{count} comment(s) imported from an earlier site were written under {email}. "
        "To show them under your name here, follow this link while signed in (it works "
        f"for three days):\n\n{settings.SITE_URL}{link}\n\n"
        "If you did not ask for this, ignore this mail: nothing changes."
    )
    message = plain_message(subject="Claim your imported comments", text=text, bcc=[])
    message.to = [email]
    message.send()
