"""Account services: the writes that touch more than one row, and the checks other
apps ask about readers. Views, admin actions and tests all call these."""

from __future__ import annotations

import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .avatars import make_avatar
from .models import Session, User, generate_username

logger = logging.getLogger(__name__)


def has_confirmed_email(user) -> bool:
    """True when the user is signed in, active and has confirmed the address they log in
    with. Only such readers may comment."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_deleted:
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


@transaction.atomic
def update_profile(
    *,
    user: User,
    display_name: str,
    bio: str = "",
    notify_on_reply: bool = True,
    notify_on_moderation: bool = True,
    avatar_bytes: bytes | None = None,
    remove_avatar: bool = False,
) -> User:
    """Save a reader's profile. `avatar_bytes` must already have passed
    `accounts.avatars.read_avatar_upload`; it is resized and stored here. The replaced
    file is removed once the transaction commits."""
    old_avatar = user.avatar.name if user.avatar else ""
    user.display_name = display_name.strip()
    user.bio = bio.strip()
    user.notify_on_reply = notify_on_reply
    user.notify_on_moderation = notify_on_moderation
    fields = ["display_name", "bio", "notify_on_reply", "notify_on_moderation"]
    if avatar_bytes:
        content = make_avatar(avatar_bytes)
        user.avatar.save(content.name, content, save=False)
        fields.append("avatar")
    elif remove_avatar and old_avatar:
        user.avatar = ""
        fields.append("avatar")
    user.save(update_fields=fields)
    if "avatar" in fields and old_avatar:
        _delete_file_on_commit(old_avatar)
    return user


@transaction.atomic
def delete_account(*, user: User) -> User:
    """Erase a reader's personal data but keep the row.

    Comments stay in their threads, credited to "[deleted]" (`User.public_name`). Erased:
    email addresses, names, avatar, bio, password (made unusable), group membership and
    staff rights. Every session of the user ends: the unusable password changes the
    session hash Django checks on each request, and stored sessions are deleted too.
    """
    old_avatar = user.avatar.name if user.avatar else ""
    EmailAddress.objects.filter(user=user).delete()
    user.username = generate_username("deleted")
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.display_name = ""
    user.bio = ""
    user.avatar = ""
    user.notify_on_reply = False
    user.notify_on_moderation = False
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.is_deleted = True
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    # What other apps keep about the reader (what they follow...): ACCOUNTS_DELETION_HOOKS.
    for path in getattr(settings, "ACCOUNTS_DELETION_HOOKS", ()):
        import_string(path)(user=user)
    _end_sessions(user)
    if old_avatar:
        _delete_file_on_commit(old_avatar)
    return user


def _end_sessions(user: User) -> None:
    # Every session row names its signed-in user (accounts.models.Session).
    Session.objects.filter(user=user).delete()


def _delete_file_on_commit(name: str) -> None:
    def delete() -> None:
        try:
            default_storage.delete(name)
        except Exception:  # OSError on disk, botocore's errors on S3
            # A file already gone, or a storage hiccup, is no reason to fail the request.
            logger.warning("Could not delete old avatar %s", name)

    transaction.on_commit(delete)


def set_notice(*, user, field: str, enabled: bool) -> None:
    """Turn one email notice (`notify_on_reply`, `notify_on_moderation`) on or off."""
    if field not in ("notify_on_reply", "notify_on_moderation"):
        raise ValueError(f"Not a notice: {field}")
    setattr(user, field, enabled)
    user.save(update_fields=[field])


def resend_confirmation(*, request, email: str) -> bool:
    """Mail a new confirmation link if `email` belongs to an account waiting for one.

    False when allauth's per-address limit says a link went out moments ago. The limit is
    consumed for every address, known or not, so the answer reveals nothing.
    """
    from allauth.account.internal.flows.email_verification import (
        consume_email_verification_rate_limit,
    )

    if not consume_email_verification_rate_limit(request, email):
        return False
    address = (
        EmailAddress.objects.filter(
            email__iexact=email, verified=False, user__is_active=True, user__is_deleted=False
        )
        .select_related("user")
        .first()
    )
    if address is not None:
        # Directly, not through allauth's flow: that one also adds a "sent" message only
        # for known addresses, which would tell who has an account.
        address.send_confirmation(request, signup=False)
    return True


def export_data(*, user: User) -> dict:
    """The reader's data export: the account's own fields, then each app's part
    (ACCOUNTS_EXPORT_HOOKS: name -> callable(user=) -> dict)."""
    data = {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "bio": user.bio,
            "date_joined": user.date_joined.isoformat(),
            "notify_on_reply": user.notify_on_reply,
            "notify_on_moderation": user.notify_on_moderation,
            "email_addresses": list(
                EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
            ),
        }
    }
    for name, path in getattr(settings, "ACCOUNTS_EXPORT_HOOKS", {}).items():
        data[name] = import_string(path)(user=user)
    return data
