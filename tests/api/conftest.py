"""Fixtures for the API tests: an app's JSON client and signed-in readers' tokens."""

from __future__ import annotations

import json

import pytest

from tests.factories import ArticleFactory, ConfirmedReaderFactory
from tests.stories.conftest import ferry_story  # noqa: F401  (a story of two reports, grouped)

PASSWORD = "a-Long-passw0rd!"


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    # Throttling has its own tests; the others make many requests from one address.
    settings.API_RATE_ANON = "10000/60"
    settings.API_RATE_TOKEN = "10000/60"


class AppClient:
    """Django's test client speaking JSON the way an app does (no cookies kept)."""

    def __init__(self, client, token: str | None = None):
        self.client, self.token = client, token

    def _headers(self, headers):
        headers = dict(headers or {})
        if self.token:
            headers["X-Session-Token"] = self.token
        return headers

    def get(self, path, headers=None, **params):
        self.client.cookies.clear()
        return self.client.get(path, params or None, headers=self._headers(headers))

    def send(self, method, path, data=None, *, raw: str | None = None, headers=None):
        self.client.cookies.clear()
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return getattr(self.client, method)(
            path, body, content_type="application/json", headers=self._headers(headers)
        )


def sign_in(client, email: str, password: str = PASSWORD) -> str:
    """The session token allauth's headless app login gives out."""
    client.cookies.clear()
    response = client.post(
        "/_allauth/app/v1/auth/login",
        json.dumps({"email": email, "password": password}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


@pytest.fixture
def app(client):
    return AppClient(client)


@pytest.fixture
def article(db):
    return ArticleFactory(title="Ferry timetable changes for winter", slug="ferry-timetable")


@pytest.fixture
def ada(db):
    return ConfirmedReaderFactory(display_name="Ada Quill")


@pytest.fixture
def bram(db):
    return ConfirmedReaderFactory(display_name="Bram Oak")


@pytest.fixture
def ada_app(client, ada):
    return AppClient(client, sign_in(client, ada.email))


@pytest.fixture
def bram_app(client, bram):
    return AppClient(client, sign_in(client, bram.email))
