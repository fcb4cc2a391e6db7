"""Sign-up does the same password hashing whether or not the email has an account."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from tests.accounts.helpers import signup
from tests.factories import ConfirmedReaderFactory

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """A real (cheap) hasher that counts how many passwords it hashed."""

    algorithm = "counting_md5"
    hashed = 0

    def encode(self, password, salt):
        CountingHasher.hashed += 1
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def _counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.hashed = 0


def _hashes_for(client, email):
    before = CountingHasher.hashed
    response = signup(client, email=email)
    assert response.status_code == 302
    return CountingHasher.hashed - before


def test_taken_and_new_addresses_cost_the_same_hashing(client):
    ConfirmedReaderFactory(email="known@example.org")
    taken = _hashes_for(client, "known@example.org")
    new = _hashes_for(client, "brand-new@example.org")
    assert new >= 1
    assert taken == new
