"""allauth's headless app flow keeps the web's rules: display name, no enumeration."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail

from accounts.models import User

from .conftest import sign_in

pytestmark = pytest.mark.django_db
AUTH = "/_allauth/app/v1/auth"


def _post(client, path, data, token=None):
    client.cookies.clear()
    headers = {"X-Session-Token": token} if token else {}
    return client.post(path, json.dumps(data), content_type="application/json", headers=headers)


def test_app_sign_up_needs_the_display_name_the_web_form_asks_for(client):
    data = {"email": "nell@example.org", "password": "a-Long-passw0rd!"}
    refused = _post(client, f"{AUTH}/signup", data)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["param"] == "display_name"
    assert not User.objects.exists()

    _post(client, f"{AUTH}/signup", {**data, "display_name": "  Nell   Brook "})
    assert User.objects.get().display_name == "Nell Brook"


def test_password_reset_does_not_tell_who_has_an_account(client, ada):
    known = _post(client, f"{AUTH}/password/request", {"email": ada.email})
    unknown = _post(client, f"{AUTH}/password/request", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()

    key = re.search(r"/password/reset/key/([^/\s]+)/", mail.outbox[0].body).group(1)
    reset = _post(client, f"{AUTH}/password/reset", {"key": key, "password": "an0ther-Long-one!"})
    assert reset.status_code == 401, reset.content  # done; the app signs in next
    assert sign_in(client, ada.email, "an0ther-Long-one!")
