"""Sending the confirmation link again: it really sends, it is limited, it says so, and it
tells nobody who has an account."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:resend_confirmation")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def waiting_reader():
    from allauth.account.models import EmailAddress

    user = UserFactory(email="wren@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    return user


def test_check_your_email_page_offers_the_resend_page(client):
    page = client.get(reverse("account_email_verification_sent")).content.decode()
    assert URL in page and "log in</a> again" not in page


def test_resend_sends_a_new_link_then_waits(client):
    waiting_reader()
    response = client.post(URL, {"email": "Wren@Example.org"})
    assert response.status_code == 200
    assert "a new link is on its way" in response.content.decode()
    assert len(mail.outbox) == 1 and "confirm-email/" in mail.outbox[0].body
    again = client.post(URL, {"email": "wren@example.org"})
    assert again.status_code == 429 and "Wait three minutes" in again.content.decode()
    assert len(mail.outbox) == 1


def test_unknown_and_known_addresses_get_the_same_answer(client):
    waiting_reader()
    known = client.post(URL, {"email": "wren@example.org"}).content.decode()
    unknown = client.post(URL, {"email": "nobody@example.org"}).content.decode()
    assert len(mail.outbox) == 1
    assert known.replace("wren@example.org", "X") == unknown.replace("nobody@example.org", "X")


def test_bad_address_keeps_what_was_typed(client):
    response = client.post(URL, {"email": "not-an-address"})
    assert response.status_code == 400 and 'value="not-an-address"' in response.content.decode()
