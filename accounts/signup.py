"""The display name every sign-up asks for, on the web and through the app API.

ACCOUNT_SIGNUP_FORM_CLASS points here, so allauth builds both its web sign-up form and
its headless (app) sign-up input on top of this class: one rule for both. It must not
import allauth's forms (allauth imports this module while defining them).
"""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from . import text
from .models import DELETED_NAME

# Words a reader's name may not contain: they would pass for the site or its staff.
RESERVED_NAME_WORDS = frozenset(
    {
        "admin",
        "administrator",
        "moderator",
        "moderators",
        "mod",
        "editor",
        "editors",
        "staff",
        "official",
        "newsroom",
        "deleted",
        "system",
    }
)


def _name_words(value: str) -> set[str]:
    folded = "".join(ch if ch.isalnum() else " " for ch in value.casefold())
    return set(folded.split())


def clean_display_name(value: str) -> str:
    """A display name is required, NFKC-normalised, rid of invisible characters and
    trimmed, and may not pose as a deleted account, the site or its staff."""
    value = text.normalise(value)
    if text.has_control_characters(value):
        raise ValidationError("Remove the control characters from your name.", code="invalid")
    value = " ".join(text.visible(value).split())
    if not value:
        raise ValidationError("Enter the name other readers will see.", code="required")
    words = _name_words(value)
    site_words = _name_words(settings.SITE_NAME)
    if (
        value.casefold() == DELETED_NAME
        or words & RESERVED_NAME_WORDS
        or (site_words and site_words <= words)
    ):
        raise ValidationError(
            "Choose another name: this one could be taken for the site's staff.",
            code="reserved",
        )
    return value


def display_name_field() -> forms.CharField:
    return forms.CharField(
        label="Display name",
        max_length=60,
        help_text="Shown next to your comments and on your profile. Not your email.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class DisplayNameSignup(forms.Form):
    """The fields allauth adds to every sign-up (settings.ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = display_name_field()

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data.get("display_name", ""))

    def clean(self) -> dict:
        """A taken address creates nothing (allauth mails its owner instead), so it
        skipped the password hashing a new account pays for: about 12 ms against 250 ms
        told anyone which emails have accounts. Hash a throwaway password of the same
        cost instead. allauth sets `account_already_exists` while cleaning the email,
        before this runs, on the web form and the app sign-up alike."""
        cleaned = super().clean()
        if getattr(self, "account_already_exists", False):
            make_password(secrets.token_urlsafe(16))
        return cleaned

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
