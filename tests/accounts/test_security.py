"""Readers and the admin, CSP-safe pages, and who counts as a confirmed reader."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.services import has_confirmed_email
from tests.accounts.helpers import PASSWORD, confirmation_path, mail_to, page_text, signup
from tests.factories import ConfirmedReaderFactory, UserFactory, confirm_email

pytestmark = pytest.mark.django_db
User = get_user_model()
INLINE_SCRIPT_RE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")


def test_reader_is_denied_the_admin(client, confirmed_reader):
    client.force_login(confirmed_reader)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/accounts/user/").status_code == 302
    # Nor can a reader log in through the admin's own form.
    client.logout()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": confirmed_reader.username, "password": PASSWORD},
    )
    assert response.status_code == 200
    assert "staff account" in page_text(response)


def test_editor_reaches_the_admin(client, editor):
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


def test_signup_cannot_make_staff(client):
    signup(client, is_staff="on", is_superuser="on")
    user = User.objects.get(email="gull@example.org")
    assert not user.is_staff and not user.is_superuser
    assert not user.groups.exists()


def test_has_confirmed_email():
    from django.contrib.auth.models import AnonymousUser

    assert not has_confirmed_email(AnonymousUser())
    unconfirmed = UserFactory()
    assert not has_confirmed_email(unconfirmed)
    confirm_email(unconfirmed, verified=False)
    assert not has_confirmed_email(unconfirmed)
    confirmed = ConfirmedReaderFactory()
    assert has_confirmed_email(confirmed)
    confirmed.is_active = False
    assert not has_confirmed_email(confirmed)


@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_entrance_pages_are_site_styled_and_csp_safe(client, url_name):
    response = client.get(reverse(url_name))
    html = page_text(response)
    assert response.status_code == 200
    assert 'class="site-header"' in html and "css/accounts.css" in html
    assert " style=" not in html
    assert not INLINE_SCRIPT_RE.search(html)
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "url_name",
    [
        "accounts:profile_edit",
        "accounts:delete",
        "account_email",
        "account_change_password",
        "account_logout",
    ],
)
def test_settings_pages_are_site_styled_and_csp_safe(client, confirmed_reader, url_name):
    client.force_login(confirmed_reader)
    response = client.get(reverse(url_name))
    html = page_text(response)
    assert response.status_code == 200
    assert 'class="site-header"' in html and "css/accounts.css" in html
    assert " style=" not in html
    assert not INLINE_SCRIPT_RE.search(html)


def test_change_email_by_confirmed_link(client, confirmed_reader):
    client.force_login(confirmed_reader)
    old_email = confirmed_reader.email
    page = client.get(reverse("account_email"))
    assert old_email in page_text(page)  # the owner sees it, on their own settings page
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "new-home@example.org"}
    )
    assert response.status_code == 302
    confirmed_reader.refresh_from_db()
    assert confirmed_reader.email == old_email  # unchanged until the new one is confirmed
    pending = page_text(client.get(reverse("account_email")))
    assert "new-home@example.org" in pending
    client.post(confirmation_path("new-home@example.org"))
    confirmed_reader.refresh_from_db()
    assert confirmed_reader.email == "new-home@example.org"
    assert list(
        EmailAddress.objects.filter(user=confirmed_reader).values_list("email", flat=True)
    ) == ["new-home@example.org"]
    assert has_confirmed_email(confirmed_reader)


def test_change_email_to_invalid_address_keeps_input(client, confirmed_reader):
    client.force_login(confirmed_reader)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "not-an-email"})
    html = page_text(response)
    assert response.status_code == 200
    assert "Enter a valid email address." in html
    assert 'value="not-an-email"' in html


def test_change_email_to_taken_address_cannot_take_it_over(client, confirmed_reader):
    other = ConfirmedReaderFactory(email="owner@example.org")
    client.force_login(confirmed_reader)
    client.post(reverse("account_email"), {"action_add": "", "email": "owner@example.org"})
    # No error that would reveal the account to the one typing; the link in the mail
    # (which only the address's owner reads) cannot move the address over.
    path = confirmation_path("owner@example.org")
    page = client.get(path)
    # Only the address's owner can open the link, so telling them is no leak.
    assert "already confirmed by a different account" in page_text(page)
    client.post(path)
    confirmed_reader.refresh_from_db()
    assert confirmed_reader.email != "owner@example.org"
    assert EmailAddress.objects.get(email="owner@example.org", verified=True).user == other
    assert mail_to("owner@example.org")


@pytest.mark.parametrize("url_name", ["accounts:profile_edit", "accounts:delete"])
def test_our_forms_need_the_csrf_token(confirmed_reader, url_name):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(confirmed_reader)
    page = client.get(reverse(url_name))
    assert 'name="csrfmiddlewaretoken"' in page_text(page)
    response = client.post(reverse(url_name), {"display_name": "Forged", "password": PASSWORD})
    assert response.status_code == 403
    confirmed_reader.refresh_from_db()
    assert confirmed_reader.display_name != "Forged" and not confirmed_reader.is_deleted
