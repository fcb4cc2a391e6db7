"""Who an imported comment belongs to, and readers claiming their old comments."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import generate_username
from comments.models import Comment, ImportedAuthor

CACHE_LIMIT = 10_000  # authors remembered during one import (memory stays bounded)


class AuthorResolver:
    """Maps an export's (name, email) to a user id: the reader who confirmed that email,
    else the imported author for it (made on first sight; claimed ones give the reader).

    `prepare(entries)` looks a whole batch up in three queries and makes the missing
    authors in two bulk INSERTs; `user_id()` then answers from memory."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.cache: dict[str, int] = {}
        self.readers = 0  # authors found among existing readers
        self.created = 0  # imported authors made

    def key(self, name: str, email: str) -> tuple[str, str, str]:
        email = email.strip().lower()
        name = " ".join(name.split())[:120]
        return email or f"{self.source}:name:{name.casefold() or 'anonymous'}", name, email

    def user_id(self, name: str, email: str) -> int:
        return self.cache[self.key(name, email)[0]]

    def prepare(self, entries) -> None:
        wanted: dict[str, tuple[str, str]] = {}
        for entry in entries:
            key, name, email = self.key(entry.author_name, entry.author_email)
            if key not in self.cache:
                wanted.setdefault(key, (name, email))
        if not wanted:
            return
        if len(self.cache) + len(wanted) > CACHE_LIMIT:
            self.cache.clear()
            wanted = {}
            for entry in entries:
                key, name, email = self.key(entry.author_name, entry.author_email)
                wanted.setdefault(key, (name, email))
        emails = {email for _, email in wanted.values() if email}
        confirmed = (
            EmailAddress.objects.annotate(lower=Lower("email"))
            .filter(lower__in=emails, verified=True)
            .values_list("lower", "user_id")
        )
        for email, user_id in confirmed:
            self.readers += email not in self.cache
            self.cache[email] = user_id
        missing = [key for key in wanted if key not in self.cache]
        known = ImportedAuthor.objects.filter(key__in=missing)
        for key, claimed_by, user_id in known.values_list("key", "claimed_by_id", "user_id"):
            self.cache[key] = claimed_by or user_id
        self._create([key for key in missing if key not in self.cache], wanted)

    def _create(self, keys: list[str], wanted: dict[str, tuple[str, str]]) -> None:
        if not keys:
            return
        User = get_user_model()
        users = User.objects.bulk_create(
            User(
                username=generate_username("imported"),
                display_name=wanted[key][0][:60],
                is_active=False,
                password=make_password(None),  # unusable: never logs in
            )
            for key in keys
        )
        ImportedAuthor.objects.bulk_create(
            ImportedAuthor(key=key, name=wanted[key][0], email=wanted[key][1], user=user)
            for key, user in zip(keys, users, strict=True)
        )
        for key, user in zip(keys, users, strict=True):
            self.cache[key] = user.pk
        self.created += len(keys)


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
