"""Who an imported comment belongs to, and readers claiming their old comments."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import generate_username
from comments.models import Comment, ImportedAuthor

CACHE_LIMIT = 10_000  # authors remembered during one import (memory stays bounded)


class AuthorResolver:
    """Maps an export's (name, email) to a user id: the reader who confirmed that email,
    else the unclaimed imported author for it (made on first sight)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.cache: dict[str, int] = {}
        self.readers = 0  # comments attached to existing readers
        self.created = 0  # imported authors made

    def user_id(self, name: str, email: str) -> int:
        email = email.strip().lower()
        name = " ".join(name.split())[:120]
        key = email or f"{self.source}:name:{name.casefold() or 'anonymous'}"
        if key not in self.cache:
            if len(self.cache) >= CACHE_LIMIT:
                self.cache.clear()
            self.cache[key] = self._find_or_create(key, name, email)
        return self.cache[key]

    def _find_or_create(self, key: str, name: str, email: str) -> int:
        if email:
            reader = (
                EmailAddress.objects.filter(email__iexact=email, verified=True)
                .values_list("user_id", flat=True)
                .first()
            )
            if reader is not None:
                self.readers += 1
                return reader
        known = ImportedAuthor.objects.filter(key=key).values_list("claimed_by_id", "user_id")
        for claimed_by, user_id in known:
            return claimed_by or user_id
        user = get_user_model()(
            username=generate_username("imported"), display_name=name[:60], is_active=False
        )
        user.set_unusable_password()
        user.save()
        ImportedAuthor.objects.create(key=key, email=email, name=name, user=user)
        self.created += 1
        return user.pk


@transaction.atomic
def claim(*, user, email: str) -> int:
    """A reader confirmed `email`: the comments imported under it become theirs.

    Called from allauth's email_confirmed signal (comments/signals.py). Returns how many
    comments moved."""
    moved = 0
    for identity in ImportedAuthor.objects.select_for_update().filter(
        email__iexact=email.strip(), claimed_by__isnull=True
    ):
        moved += Comment.objects.filter(author_id=identity.user_id).update(author=user)
        identity.claimed_by = user
        identity.claimed_at = timezone.now()
        identity.save(update_fields=["claimed_by", "claimed_at"])
    return moved
