"""Mail to an address nobody has confirmed quotes nothing the requester typed."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.helpers import signup

pytestmark = pytest.mark.django_db
BAIT = "URGENT visit https://evil.example/win"


def _mail_text(message) -> str:
    parts = [message.subject, message.body]
    parts += [content for content, _ in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def test_signing_up_a_strangers_address_mails_them_nothing_typed(client):
    assert signup(client, email="victim@example.org", name=BAIT).status_code == 302
    (message,) = mail.outbox
    assert message.to == ["victim@example.org"]
    text = _mail_text(message)
    assert "evil.example" not in text and "URGENT" not in text
    assert "/accounts/confirm-email/" in text


def test_a_password_reset_for_that_address_quotes_nothing_either(client):
    signup(client, email="victim@example.org", name=BAIT)
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": "victim@example.org"})
    assert mail.outbox
    for message in mail.outbox:
        assert "evil.example" not in _mail_text(message)


def test_an_email_change_confirmation_quotes_no_name(client, confirmed_reader):
    confirmed_reader.display_name = BAIT
    confirmed_reader.save(update_fields=["display_name"])
    client.force_login(confirmed_reader)
    client.post(reverse("account_email"), {"action_add": "", "email": "victim@example.org"})
    sent = [m for m in mail.outbox if "victim@example.org" in m.to]
    assert sent
    assert "evil.example" not in _mail_text(sent[-1])
