"""Password reset (forgotten) and change (signed in)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.helpers import NEW_PASSWORD, PASSWORD, links_in, mail_to, page_text
from tests.factories import ConfirmedReaderFactory

pytestmark = pytest.mark.django_db
RESET = reverse("account_reset_password")
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _comparable(response) -> str:
    return CSRF_RE.sub("", page_text(response))


def test_reset_page_is_identical_for_known_and_unknown_emails(client, confirmed_reader):
    known = client.post(RESET, {"email": confirmed_reader.email})
    unknown = client.post(RESET, {"email": "nobody-here@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    done_known = client.get(known["Location"])
    done_unknown = client.get(unknown["Location"])
    assert _comparable(done_known) == _comparable(done_unknown)
    # Both addresses get a mail, so not even the mailbox timing tells them apart.
    assert "/accounts/password/reset/key/" in mail_to(confirmed_reader.email).body
    assert "do not have any record" in mail_to("nobody-here@example.org").body


def test_reset_by_link_then_log_in_with_new_password(client, confirmed_reader):
    client.post(RESET, {"email": confirmed_reader.email})
    link = next(link for link in links_in(mail_to(confirmed_reader.email)) if "/reset/key/" in link)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get(f"/{path}")
    # allauth moves the key out of the URL into the session, then shows the form.
    assert response.status_code == 302
    form_url = response["Location"]
    form_page = client.get(form_url)
    assert 'name="password1"' in page_text(form_page)
    mismatch = client.post(form_url, {"password1": NEW_PASSWORD, "password2": "different-99X"})
    assert "You must type the same password each time." in page_text(mismatch)
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": confirmed_reader.email, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == confirmed_reader.pk


def test_forged_reset_link_gets_a_clear_message(client, confirmed_reader):
    response = client.get(
        f"/accounts/password/reset/key/{confirmed_reader.pk}-forged-token/", follow=True
    )
    html = page_text(response)
    assert response.status_code == 200
    assert "Bad Token" in html
    assert "password reset link was invalid" in html


def test_reset_requests_are_rate_limited(client):
    ConfirmedReaderFactory(email="often@example.org")
    statuses = [client.post(RESET, {"email": "often@example.org"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 302]
    assert len(mail.outbox) == 3
    # A fourth request for the same address within the hour gets the site's 429 page.
    fourth = client.post(RESET, {"email": "often@example.org"})
    assert fourth.status_code == 429
    assert "Too many attempts" in page_text(fourth)
    assert 'class="site-header"' in page_text(fourth)
    assert len(mail.outbox) == 3
    # Other addresses from the same IP: five an hour in all (ACCOUNT_RATE_LIMITS).
    assert client.post(RESET, {"email": "someone@example.org"}).status_code == 302
    assert client.post(RESET, {"email": "someone-else@example.org"}).status_code == 429


def test_change_password(client, confirmed_reader):
    client.force_login(confirmed_reader)
    url = reverse("account_change_password")
    page = client.get(url)
    assert page.status_code == 200
    assert 'aria-current="page"' in page_text(page)
    wrong = client.post(
        url, {"oldpassword": "nope", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert "Please type your current password." in page_text(wrong)
    mismatch = client.post(
        url, {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": "other-Pass-77"}
    )
    assert "You must type the same password each time." in page_text(mismatch)
    ok = client.post(
        url, {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert ok.status_code == 302
    confirmed_reader.refresh_from_db()
    assert confirmed_reader.check_password(NEW_PASSWORD)
    # Still signed in on this device (ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE is off).
    assert client.get(url).status_code == 200


def test_password_pages_need_login(client):
    response = client.get(reverse("account_change_password"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
