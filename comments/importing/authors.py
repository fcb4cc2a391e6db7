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

from .rules import shown_name, staff_names, visible_name

CACHE_LIMIT = 10_000  # authors remembered during one import (memory stays bounded)


def author_key(*, source: str, origin: str, name: str, email: str) -> str:
    """One imported author per email address and name (people who shared an address keep
    their names); without an address, per name within one site of one source."""
    folded = visible_name(name).casefold()
    email = email.strip().lower()
    if email:
        return f"{email}\n{folded}"[:500]
    return f"{source}:{origin}:name:{folded or 'anonymous'}"[:500]


class AuthorResolver:
    """Maps an export's (name, email) to the user id of an imported author, made on first
    sight; a claimed one gives the reader who claimed it.

    Never an existing reader's account by address alone: an export is no proof that the
    commenter is the reader who confirmed that address here (they claim by confirming it,
    `claim` below). `prepare(entries)` looks a whole batch up in two queries and makes
    the missing authors in two bulk INSERTs; `user_id()` then answers from memory."""

    def __init__(self, source: str, origin: str) -> None:
        self.source = source
        self.origin = origin
        self.cache: dict[str, int] = {}
        self.staff = staff_names()
        self.created = 0  # imported authors made
        self.refused_names = 0  # of them, under a name the site refuses
        self.readers_addresses = 0  # of them, at an address a reader here confirmed

    def key(self, name: str, email: str) -> str:
        return author_key(source=self.source, origin=self.origin, name=name, email=email)

    def user_id(self, name: str, email: str) -> int:
        return self.cache[self.key(name, email)]

    def prepare(self, entries) -> None:
        wanted: dict[str, tuple[str, str]] = {}
        for entry in entries:
            key = self.key(entry.author_name, entry.author_email)
            if key not in self.cache:
                wanted.setdefault(key, (entry.author_name, entry.author_email.strip()))
        if not wanted:
            return
        if len(self.cache) + len(wanted) > CACHE_LIMIT:
            self.cache.clear()
            wanted = {
                self.key(e.author_name, e.author_email): (e.author_name, e.author_email.strip())
                for e in entries
            }
        known = ImportedAuthor.objects.filter(key__in=list(wanted))
        for key, claimed_by, user_id in known.values_list("key", "claimed_by_id", "user_id"):
            self.cache[key] = claimed_by or user_id
        self._create([key for key in wanted if key not in self.cache], wanted)

    def _create(self, keys: list[str], wanted: dict[str, tuple[str, str]]) -> None:
        if not keys:
            return
        User = get_user_model()
        shown = {key: shown_name(wanted[key][0], self.staff) for key in keys}
        users = User.objects.bulk_create(
            User(
                username=generate_username("imported"),
                display_name=shown[key][0],
                is_active=False,
                password=make_password(None),  # unusable: never logs in
            )
            for key in keys
        )
        ImportedAuthor.objects.bulk_create(
            ImportedAuthor(
                key=key,
                name=" ".join(wanted[key][0].split())[:120],
                email=wanted[key][1][:254],
                user=user,
            )
            for key, user in zip(keys, users, strict=True)
        )
        for key, user in zip(keys, users, strict=True):
            self.cache[key] = user.pk
        self.created += len(keys)
        self.refused_names += sum(refused for _name, refused in shown.values())
        emails = {wanted[key][1].lower() for key in keys if wanted[key][1]}
        self.readers_addresses += (
            EmailAddress.objects.annotate(lower=Lower("email"))
            .filter(lower__in=emails, verified=True)
            .count()
            if emails
            else 0
        )


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
