"""Invisible and look-alike names: normalised, and reserved labels refused."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.accounts.helpers import signup

pytestmark = pytest.mark.django_db
ZWSP = "\u200b"


@pytest.mark.parametrize(
    "name",
    [ZWSP, f"{ZWSP}{ZWSP} ", "\u3164", "\u2800\u200d"],
    ids=["zero-width-space", "two-zwsp", "hangul-filler", "braille-blank"],
)
def test_an_invisible_name_is_no_name(client, name):
    response = signup(client, name=name)
    assert response.status_code == 200
    assert "Enter the name other readers will see" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        f"[deleted]{ZWSP}",
        "[ＤＥＬＥＴＥＤ]",
        "Moderator",
        "The M\u200boderator",
        "Site Admin",
        "Newsroom staff",
        "ＥＤＩＴＯＲ Jo",
    ],
)
def test_reserved_and_staff_looking_names_are_refused(client, name):
    response = signup(client, name=name)
    assert response.status_code == 200
    assert "could be taken for the site" in response.content.decode()
    assert not User.objects.exists()


def test_names_are_stored_in_nfkc_without_invisible_characters(client):
    response = signup(client, name=f"Ｈａｒｂｏｕｒ{ZWSP} Gull")
    assert response.status_code == 302
    assert User.objects.get().display_name == "Harbour Gull"


def test_the_profile_editor_applies_the_same_rules(client, confirmed_reader):
    client.force_login(confirmed_reader)
    response = client.post(reverse("accounts:profile_edit"), {"display_name": f"[deleted]{ZWSP}"})
    assert response.status_code == 200
    confirmed_reader.refresh_from_db()
    assert confirmed_reader.display_name != "[deleted]"
