"""Schemathesis against a live server: our API (`/api/v1/openapi.json`) and allauth's
headless API (`/_allauth/openapi.json`) answer as their documents say (issue 28).

Every built-in check runs (`checks.enabled = true` in schemathesis.toml, next to this
file); a check left out there for an operation is a deliberate exception, with its
reason. Examples are bounded so both runs take about a minute. The reader is confirmed
and signed in (their token is sent with every request), and rate limits are raised for
the run: the checks are about the documents, not about being throttled.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from tests.factories import ArticleFactory, CommentFactory, ConfirmedReaderFactory

from .conftest import PASSWORD

CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 12


def _sign_in(base: str, email: str) -> str:
    request = urllib.request.Request(
        f"{base}/_allauth/app/v1/auth/login",
        data=json.dumps({"email": email, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["meta"]["session_token"]


@pytest.fixture
def reader(live_server, settings):
    """A confirmed reader (rate limits raised for the run) and content for the reads."""
    settings.API_RATE_ANON = settings.API_RATE_TOKEN = "1000000/60"
    settings.ACCOUNT_RATE_LIMITS = False
    settings.COMMENTS_FLOOD_SECONDS = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    article = ArticleFactory(slug="ferry-timetable")
    CommentFactory(article=article)
    return ConfirmedReaderFactory(display_name="Schema Reader")


@pytest.fixture
def reader_token(live_server, reader):
    """The reader's session token, got over HTTP as an app gets it."""
    return _sign_in(live_server.url, reader.email)


@pytest.fixture
def token_for(live_server, reader, reader_token):
    """The token to send with a case: signing out ends a session, so it gets its own."""

    def token(case) -> str:
        if case.method.upper() == "DELETE" and case.path.endswith("/auth/session"):
            return _sign_in(live_server.url, reader.email)
        return reader_token

    return token


def _load(url: str):
    return schemathesis.openapi.from_url(url, config=SchemathesisConfig.from_path(CONFIG))


@pytest.fixture
def our_schema(live_server, reader_token):
    return _load(f"{live_server.url}/api/v1/openapi.json")


ours = schemathesis.pytest.from_fixture("our_schema")
# allauth's headless API: test_schemathesis_allauth.py, a file of its own so that another
# xdist worker takes it (the two runs took 29 and 20 s).
BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@ours.parametrize()
@BOUNDED
def test_our_api_conforms_to_its_schema(case, token_for):
    case.call_and_validate(headers={"X-Session-Token": token_for(case)})
