"""The admin login is throttled like the readers' login, per account and per address."""

import pytest
from django.urls import reverse

from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db
ADMIN_LOGIN = reverse("admin:login")
PASSWORD = "a-Long-passw0rd!"


def _login(client, username, password, ip="127.0.0.1"):
    return client.post(
        ADMIN_LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def test_staff_log_in_to_the_admin(client):
    editor = EditorFactory()
    response = _login(client, editor.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_dozen_wrong_passwords_lock_the_account(client):
    """The right password after a dozen wrong ones used to log in."""
    editor = EditorFactory()
    for n in range(12):
        _login(client, editor.email, f"guess-{n}", ip=f"198.51.100.{n}")
    response = _login(client, editor.email, PASSWORD, ip="203.0.113.5")
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_address_guessing_many_accounts_is_stopped(client):
    editor = EditorFactory()
    for n in range(5):
        _login(client, f"staff{n}@example.org", "guess", ip="198.51.100.9")
    response = _login(client, editor.email, PASSWORD, ip="198.51.100.9")
    assert "Too many failed login attempts" in response.content.decode()


def test_the_reader_page_and_the_admin_share_the_account_budget(client):
    editor = EditorFactory()
    for n in range(5):
        client.post(
            reverse("account_login"),
            {"login": editor.email, "password": f"guess-{n}"},
            REMOTE_ADDR=f"198.51.100.{n}",
        )
    response = _login(client, editor.email, PASSWORD, ip="203.0.113.5")
    assert "Too many failed login attempts" in response.content.decode()


def test_readers_still_cannot_use_the_admin(client, confirmed_reader):
    response = _login(client, confirmed_reader.email, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
