"""The edge of /api/ and /_allauth/ (api/boundary.py, issue 28): every error JSON, text
that is not Unicode refused, allauth's crashes a 400, a sign-up whole or not at all."""

from __future__ import annotations

import json
import socket

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from comments.models import Comment, Report
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db
AUTH = "/_allauth/app/v1/auth"
SIGNUP = {"email": "nell@example.org", "password": "a-Long-passw0rd!", "display_name": "Nell"}
LONE = '"lone \\ud800 surrogate"'  # JSON's spelling of a lone surrogate


def _post(client, path, raw: str, token: str | None = None, method: str = "post"):
    client.cookies.clear()
    headers = {"X-Session-Token": token} if token else {}
    return getattr(client, method)(path, raw, content_type="application/json", headers=headers)


@pytest.fixture
def no_raise(client):
    client.raise_request_exception = False  # a 500 is an answer to check, not a test crash
    return client


def test_a_lone_surrogate_in_a_comment_is_a_400_and_nothing_is_stored(no_raise, ada_app, article):
    # Issue 28: it reached the comment rules' hash and was a 500.
    url = f"/api/v1/articles/{article.slug}/comments"
    response = _post(no_raise, url, f'{{"body": {LONE}}}', ada_app.token)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_unicode"
    assert not Comment.objects.exists()
    comment = CommentFactory(article=article)
    report = _post(no_raise, f"/api/v1/comments/{comment.pk}/report", f'{{"reason": {LONE}}}')
    assert report.status_code == 400 and not Report.objects.exists()


def test_a_lone_surrogate_in_a_sign_up_is_a_400_and_leaves_no_account(no_raise):
    # Issue 28: the sign-up was a 500 and left a half-made account that blocked the
    # address's real owner.
    raw = json.dumps({**SIGNUP, "display_name": "X"}).replace('"X"', LONE)
    response = _post(no_raise, f"{AUTH}/signup", raw)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "invalid_unicode"
    assert not User.objects.exists() and not EmailAddress.objects.exists()
    retry = _post(no_raise, f"{AUTH}/signup", json.dumps(SIGNUP))
    assert retry.status_code in (200, 401)  # 401: signed up, the email to confirm
    assert User.objects.get().display_name == "Nell"


def test_a_sign_up_that_fails_half_way_leaves_nothing_behind(no_raise, settings):
    # The confirmation mail cannot be sent (nothing listens on that port): the account
    # made just before is rolled back with it, so the address stays free.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    response = _post(no_raise, f"{AUTH}/signup", json.dumps(SIGNUP))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert not User.objects.exists() and not EmailAddress.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert _post(no_raise, f"{AUTH}/signup", json.dumps(SIGNUP)).status_code in (200, 401)
    assert User.objects.filter(email="nell@example.org").exists()


def test_allauths_own_crashes_are_400s_in_its_json(no_raise, ada_app):
    # Issue 28: allauth 65.22 raised TypeError (base36_to_int) on a reset key "-abc" and
    # AttributeError on PUT .../account/phone, answered with the site's HTML 500 page.
    no_raise.cookies.clear()
    reset = no_raise.get(f"{AUTH}/password/reset", headers={"X-Password-Reset-Key": "-abc"})
    assert reset.status_code == 400 and reset["Content-Type"] == "application/json"
    assert reset.json()["errors"][0]["code"] == "invalid"
    # The phone view has no PUT: a 405 naming what it has, before allauth reads the body.
    for token in (None, ada_app.token):
        put = _post(no_raise, "/_allauth/app/v1/account/phone", "{}", token, method="put")
        assert put.status_code == 405 and "POST" in put["Allow"]
        assert put["Content-Type"] == "application/json"
    # The site keeps no phone numbers: none to show, and adding one is refused, not a 500.
    listed = no_raise.get(
        "/_allauth/app/v1/account/phone", headers={"X-Session-Token": ada_app.token}
    )
    assert listed.status_code == 200
    added = _post(
        no_raise, "/_allauth/app/v1/account/phone", '{"phone": "+15555550100"}', ada_app.token
    )
    assert added.status_code == 400 and added["Content-Type"] == "application/json"


def test_a_body_that_is_not_an_object_is_refused(ada_app, bram, article):
    # Issue 28: a report accepted [null, null] as its body.
    comment = CommentFactory(article=article, author=bram)
    for raw in ("[null, null]", '"spam"', "3", "null"):
        response = ada_app.send("post", f"/api/v1/comments/{comment.pk}/report", raw=raw)
        assert response.status_code == 400, raw
        assert response.json()["code"] == "invalid_body"
    assert not Report.objects.exists()


def test_a_body_too_large_is_a_json_413_under_both_prefixes(no_raise, settings, ada_app):
    # Issue 28: a 12 MB body got the HTML 413 page.
    settings.MAX_REQUEST_BODY_BYTES = 1000
    big = json.dumps({"body": "x" * 2000})
    api = _post(no_raise, "/api/v1/articles/x/comments", big, ada_app.token)
    assert api.status_code == 413 and api["Content-Type"] == "application/problem+json"
    headless = _post(no_raise, f"{AUTH}/signup", big)
    assert headless.status_code == 413 and headless["Content-Type"] == "application/json"
    assert headless.json()["errors"][0]["code"] == "too_large"


def test_unknown_addresses_answer_json_under_both_prefixes(client):
    assert client.get("/api/v1/nowhere")["Content-Type"] == "application/problem+json"
    response = client.get("/_allauth/app/v1/nowhere")
    assert response.status_code == 404 and response.json()["status"] == 404


def test_allauths_openapi_document_is_served(client):
    response = client.get("/_allauth/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.content)
    assert "/_allauth/app/v1/auth/signup" in spec["paths"]


@pytest.mark.parametrize("path", ["/api/v1/sources", "/api/v1/articles", "/api/v1/nowhere"])
def test_head_answers_as_get_without_the_body_cached_or_not(client, article, path):
    """HEAD is GET without the body (RFC 9110), on a cache miss as on a hit: it was a 405
    until the page cache held the GET's response, then a 200."""
    first = client.head(path)
    get = client.get(path)
    again = client.head(path)
    for head in (first, again):
        assert head.status_code == get.status_code
        assert head.content == b""
        assert head["Content-Type"] == get["Content-Type"]
        if get.status_code == 200:
            assert head["Content-Length"] == str(len(get.content))
    assert client.post(path, "{}", content_type="application/json").status_code in (404, 405)
