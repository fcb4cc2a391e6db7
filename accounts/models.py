"""The site's user model: readers, editors and moderators are all `accounts.User`."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.urls import reverse

DELETED_NAME = "[deleted]"


def generate_username(prefix: str = "reader") -> str:
    """A random, unguessable handle: the username is an internal key, never derived
    from the email (so it can never leak it) and never shown as a name."""
    return f"{prefix}-{secrets.token_hex(6)}"


class User(AbstractUser):
    """A person with an account. Readers sign up; editors and moderators are staff.

    Email is the login (through django-allauth); the username is generated and never shown.
    A deleted account keeps its row (so its published comments keep their place in the
    threads) but loses every piece of personal data; see `accounts.services.delete_account`.
    """

    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="The name shown next to the reader's comments and on their profile.",
    )
    avatar = models.ImageField(
        upload_to="avatars/",
        blank=True,
        max_length=200,
        help_text="A square WebP made from the uploaded picture (EXIF data dropped).",
    )
    bio = models.CharField(
        max_length=300, blank=True, help_text="A few words shown on the public profile."
    )
    notify_on_reply = models.BooleanField(
        "email me when someone replies to my comment", default=True
    )
    notify_on_moderation = models.BooleanField(
        "email me when a moderator decides on my comment", default=True
    )
    is_deleted = models.BooleanField(
        default=False,
        help_text="The reader deleted the account: personal data erased, comments kept.",
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # allauth signs readers up by email only (ACCOUNT_USER_MODEL_USERNAME_FIELD is None)
        # while AbstractUser keeps a unique username: give every new account a random one.
        if not self.username:
            self.username = generate_username()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"pk": self.pk})

    @property
    def has_public_profile(self) -> bool:
        """Deleted and disabled accounts have no profile page: their names link nowhere."""
        return self.is_active and not self.is_deleted

    @property
    def public_name(self) -> str:
        """The name the public sees: never the email address."""
        if self.is_deleted:
            return DELETED_NAME
        return self.display_name or self.get_full_name() or "Reader"


class Session(AbstractBaseSession):
    """A session row that names its signed-in user, so that one query loads both
    (accounts/sessions.py): Django's keeps the user's id only inside the encoded data,
    and every signed-in page paid a second query, and round trip, for the user.

    No foreign key in the database: a session saved while its user is being deleted must
    not fail the request; Django's delete still takes the user's sessions with it, and a
    row naming no user (anonymous, or a user gone) falls back to Django's own lookup.
    """

    user = models.ForeignKey(
        User, null=True, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
