"""Deleting an account: the row stays, the personal data goes."""

from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Session
from accounts.services import delete_account, has_confirmed_email
from tests.accounts.helpers import PASSWORD, confirmation_path, page_text, signup
from tests.factories import ensure_staff_groups, image_bytes

pytestmark = pytest.mark.django_db
User = get_user_model()
DELETE = reverse("accounts:delete")


def _with_avatar(client, user):
    client.force_login(user)
    client.post(
        reverse("accounts:profile_edit"),
        {
            "display_name": "Pier Reader",
            "bio": "Lives by the old lighthouse.",
            "avatar_upload": SimpleUploadedFile("a.png", image_bytes("PNG", (200, 200))),
        },
    )
    user.refresh_from_db()
    return Path(django_settings.MEDIA_ROOT) / user.avatar.name


def test_delete_page_needs_login(client):
    response = client.get(DELETE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_wrong_password_keeps_the_account(client, confirmed_reader):
    client.force_login(confirmed_reader)
    page = client.get(DELETE)
    assert "[deleted]" in page_text(page)  # the page says how comments will look
    response = client.post(DELETE, {"password": "not-it"})
    assert response.status_code == 200
    assert "That is not your password." in page_text(response)
    confirmed_reader.refresh_from_db()
    assert confirmed_reader.is_active and not confirmed_reader.is_deleted


def test_delete_erases_personal_data_and_keeps_the_row(client, confirmed_reader):
    avatar = _with_avatar(client, confirmed_reader)
    assert avatar.exists()
    confirmed_reader.first_name, confirmed_reader.last_name = "Ada", "Quay"
    confirmed_reader.save()
    ensure_staff_groups()  # a transactional test may have flushed them
    confirmed_reader.groups.add(Group.objects.get(name="Moderators"))
    email = confirmed_reader.email
    other_device = Client()
    other_device.force_login(confirmed_reader)

    with django_on_commit():
        response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("articles:home")

    user = User.objects.get(pk=confirmed_reader.pk)  # the row is still there
    assert user.is_deleted and user.deleted_at is not None
    assert user.public_name == "[deleted]"
    assert user.email == "" and user.first_name == "" and user.last_name == ""
    assert user.display_name == "" and user.bio == "" and not user.avatar
    assert email.split("@")[0] not in user.username
    assert not user.has_usable_password()
    assert not user.is_active and not user.is_staff
    assert not user.groups.exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(email=email).exists()
    assert not has_confirmed_email(user)
    assert not avatar.exists()
    # Signed out here and on every other device.
    assert "_auth_user_id" not in client.session
    assert other_device.get(reverse("accounts:profile_edit")).status_code == 302
    for session in Session.objects.all():
        assert session.get_decoded().get("_auth_user_id") != str(user.pk)
    home = client.get(response["Location"])
    assert "Your account is deleted." in page_text(home)


def django_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_deleted_account_cannot_log_in_and_email_is_free_again(client):
    signup(client, email="leaving@example.org")
    client.post(confirmation_path("leaving@example.org"))
    user = User.objects.get(email="leaving@example.org")
    client.post(DELETE, {"password": PASSWORD})
    response = client.post(
        reverse("account_login"), {"login": "leaving@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # The address belongs to nobody now: it can sign up again as a new reader.
    signup(client, email="leaving@example.org", name="Returning Reader")
    again = User.objects.get(email="leaving@example.org")
    assert again.pk != user.pk
    assert User.objects.get(pk=user.pk).is_deleted


def test_delete_account_service_is_idempotent_enough(confirmed_reader):
    delete_account(user=confirmed_reader)
    delete_account(user=confirmed_reader)
    confirmed_reader.refresh_from_db()
    assert confirmed_reader.public_name == "[deleted]"


def test_password_guessing_on_delete_page_is_rate_limited(client, confirmed_reader):
    client.force_login(confirmed_reader)
    for _ in range(10):
        client.post(DELETE, {"password": "guess"})
    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 200
    assert "Too many attempts" in page_text(response)
    confirmed_reader.refresh_from_db()
    assert not confirmed_reader.is_deleted


def test_admin_action_deletes_accounts(client, confirmed_reader, db):
    admin = User.objects.create_superuser("chief", "chief@example.org", PASSWORD)
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "erase_accounts", "_selected_action": [confirmed_reader.pk, admin.pk]},
    )
    assert response.status_code == 302
    confirmed_reader.refresh_from_db()
    admin.refresh_from_db()
    assert confirmed_reader.is_deleted
    assert not admin.is_deleted  # never yourself
