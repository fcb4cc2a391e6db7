"""The site's user model: readers, editors and moderators are all `accounts.User`."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person with an account. Readers sign up; editors and moderators are staff.

    Email is the login (through django-allauth); the username is generated and never shown.
    """

    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="The name shown next to the reader's comments and on their profile.",
    )

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def public_name(self) -> str:
        """The name the public sees: never the email address."""
        return self.display_name or self.get_full_name() or "Reader"
