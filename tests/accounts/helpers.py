"""Helpers for the account tests: sign up through the real views, read the outbox."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core import mail
from django.urls import reverse

PASSWORD = "a-Long-passw0rd!"
NEW_PASSWORD = "Quay-lantern-42-fog"
LINK_RE = re.compile(r"https?://[^\s]+")


def signup(client, *, email="gull@example.org", name="Harbour Gull", next_url=None, **extra):
    """POST the sign-up form; return the response (not followed)."""
    data = {
        "display_name": name,
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("account_signup"), data)


def links_in(message) -> list[str]:
    return LINK_RE.findall(message.body)


def mail_to(address: str):
    """The last mail sent to `address`."""
    sent = [m for m in mail.outbox if address in m.to]
    assert sent, f"no mail to {address}; outbox: {[m.subject for m in mail.outbox]}"
    return sent[-1]


def confirmation_path(address: str) -> str:
    """Path and query of the confirmation link in the last mail to `address`."""
    message = mail_to(address)
    link = next(link for link in links_in(message) if "/accounts/confirm-email/" in link)
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_text(response) -> str:
    return response.content.decode()
