"""Sign-up and email confirmation through the real views."""

import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.services import has_confirmed_email
from tests.accounts.helpers import PASSWORD, confirmation_path, mail_to, page_text, signup
from tests.factories import ArticleFactory, ConfirmedReaderFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_signup_page_uses_site_layout(client):
    response = client.get(reverse("account_signup"))
    html = page_text(response)
    assert response.status_code == 200
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert "css/accounts.css" in html
    assert 'name="display_name"' in html
    assert "<title>Create an account" in " ".join(html.split())
    assert " style=" not in html


def test_signup_then_confirm_returns_to_article(client):
    article = ArticleFactory()
    next_url = f"{article.get_absolute_url()}#comments"
    response = signup(client, next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    user = User.objects.get(email="gull@example.org")
    assert user.display_name == "Harbour Gull"
    assert not user.is_staff
    assert "gull" not in user.username  # generated, never derived from the email
    assert not has_confirmed_email(user)
    # Not logged in until the address is confirmed.
    assert "_auth_user_id" not in client.session

    message = mail_to("gull@example.org")
    assert message.subject.startswith("[Newsroom]")
    assert "Harbour Gull" not in message.body  # quotes nothing the requester typed
    path = confirmation_path("gull@example.org")
    confirm_page = client.get(path)
    assert confirm_page.status_code == 200
    assert "Confirm" in page_text(confirm_page)
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert int(client.session["_auth_user_id"]) == user.pk
    assert has_confirmed_email(user)
    article_page = client.get(article.get_absolute_url())
    assert "Harbour Gull" in page_text(article_page)


def test_confirm_link_in_another_browser_still_leads_to_article(client, django_user_model):
    from django.test import Client

    article = ArticleFactory()
    signup(client, next_url=article.get_absolute_url())
    other = Client()
    path = confirmation_path("gull@example.org")
    assert "next=" in path
    response = other.post(path)
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert EmailAddress.objects.get(email="gull@example.org").verified


def test_foreign_next_is_dropped_from_signup(client):
    response = signup(client, next_url="https://evil.example/steal")
    assert response.status_code == 302
    path = confirmation_path("gull@example.org")
    assert "evil" not in path
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_mismatched_passwords_keep_what_was_typed(client):
    response = signup(client, password2="Something-else-99")
    html = page_text(response)
    assert response.status_code == 200
    assert "You must type the same password each time." in html
    assert 'value="gull@example.org"' in html
    assert 'value="Harbour Gull"' in html
    assert "Please correct the error" in html
    assert not User.objects.filter(email="gull@example.org").exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1", "too short"), ("password123", "too common"), ("83726150493", "entirely numeric")],
)
def test_weak_passwords_are_refused(client, password, message):
    response = signup(client, password1=password, password2=password)
    assert response.status_code == 200
    assert message in page_text(response)
    assert not User.objects.filter(email="gull@example.org").exists()


@pytest.mark.parametrize(("name", "message"), [("   ", "required"), ("[Deleted]", "another name")])
def test_display_name_is_required_and_not_reserved(client, name, message):
    response = signup(client, name=name)
    assert response.status_code == 200
    assert message in page_text(response)


def test_taken_email_does_not_reveal_the_account(client):
    existing = ConfirmedReaderFactory(email="taken@example.org")
    fresh = signup(client, email="fresh@example.org")
    mail.outbox.clear()
    response = signup(client, email="taken@example.org", name="Someone Else")
    # The same answer as a successful sign-up: nobody learns the address has an account.
    assert response.status_code == fresh.status_code == 302
    assert response["Location"] == fresh["Location"]
    assert User.objects.filter(email="taken@example.org").count() == 1
    assert User.objects.get(pk=existing.pk).display_name == existing.display_name
    # The owner of the address gets the clear message, by email.
    message = mail_to("taken@example.org")
    assert "already exists" in message.body
    assert "/accounts/password/reset/" in message.body


def test_forged_confirmation_link_gets_a_clear_message(client):
    response = client.get("/accounts/confirm-email/not-a-real-key/")
    assert response.status_code == 200
    assert "expired or is invalid" in page_text(response)
    response = client.post("/accounts/confirm-email/not-a-real-key/")
    assert response.status_code == 404


def test_tampered_confirmation_link_is_refused(client):
    signup(client)
    path = confirmation_path("gull@example.org")
    forged = path.rstrip("/")[:-3] + "abc/"
    response = client.get(forged)
    assert "expired or is invalid" in page_text(response)
    assert not EmailAddress.objects.get(email="gull@example.org").verified


def test_expired_confirmation_link_gets_a_clear_message(client, settings):
    signup(client)
    path = confirmation_path("gull@example.org")
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 0
    time.sleep(1.1)  # the signed key carries a whole-second timestamp
    response = client.get(path)
    assert response.status_code == 200
    assert "expired or is invalid" in page_text(response)
    assert not EmailAddress.objects.get(email="gull@example.org").verified


def test_unconfirmed_reader_cannot_log_in(client):
    signup(client)
    mail.outbox.clear()
    login = {"login": "gull@example.org", "password": PASSWORD}
    response = client.post(reverse("account_login"), login)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    # The link is not re-sent within allauth's cooldown (a rate limit kept in the cache)...
    assert mail.outbox == []
    # ...and is once the cooldown has passed.
    cache.clear()
    client.post(reverse("account_login"), login)
    assert "_auth_user_id" not in client.session
    assert "/accounts/confirm-email/" in mail_to("gull@example.org").body


def test_signups_are_rate_limited_per_ip(client):
    # ACCOUNT_RATE_LIMITS["signup"] is 20 an hour per IP; counted in the cache.
    for n in range(20):
        response = signup(client, email=f"flood{n}@example.org", password2="mismatch-Xy9")
        assert response.status_code == 200
    response = signup(client, email="one-more@example.org")
    assert response.status_code == 429
    assert "Too many attempts" in page_text(response)
    assert not User.objects.filter(email="one-more@example.org").exists()
    # Reading the page is not limited.
    assert client.get(reverse("account_signup")).status_code == 200
