"""An app's whole journey over real HTTP: sign up, confirm, sign in, comment, sign out."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from django.core import mail

from comments.models import Comment
from tests.factories import ArticleFactory


def call(base: str, method: str, path: str, data=None, token: str | None = None):
    """(status, headers, parsed JSON body) for one request, as an app would send it."""
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(base + path, data=body, method=method)
    request.add_header("Accept", "application/json")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("X-Session-Token", token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw, status, headers = response.read(), response.status, response.headers
    except urllib.error.HTTPError as error:
        raw, status, headers = error.read(), error.code, error.headers
    return status, headers, json.loads(raw) if raw else None


@pytest.mark.django_db(transaction=True)
def test_sign_up_confirm_sign_in_and_comment_over_http(live_server, settings):
    settings.COMMENTS_PREMODERATE = False
    settings.COMMENTS_TRUSTED_AFTER = 0  # a first comment is published at once
    article = ArticleFactory(slug="ferry-timetable")
    base = live_server.url
    auth = "/_allauth/app/v1"
    signup = {"email": "wren@example.org", "password": "a-Long-passw0rd!", "display_name": "Wren"}

    # Sign-up: allauth holds the session until the address is confirmed.
    status, _, body = call(base, "POST", f"{auth}/auth/signup", signup)
    assert status == 401
    assert {"id": "verify_email", "is_pending": True} in body["data"]["flows"]
    pending_token = body["meta"]["session_token"]
    status, _, _ = call(
        base,
        "POST",
        "/api/v1/articles/ferry-timetable/comments",
        {"body": "Too early."},
        token=pending_token,
    )
    assert status == 401

    # Confirm with the key from the mail's link.
    key = re.search(r"/confirm-email/([^/\s]+)/", mail.outbox[-1].body).group(1)
    status, _, body = call(
        base, "POST", f"{auth}/auth/email/verify", {"key": key}, token=pending_token
    )
    assert status == 200
    assert body["data"]["user"]["display"] == "Wren"

    # Sign in afresh, as the app would on another device.
    status, _, body = call(
        base,
        "POST",
        f"{auth}/auth/login",
        {"email": signup["email"], "password": signup["password"]},
    )
    assert status == 200
    token = body["meta"]["session_token"]

    status, _, body = call(
        base,
        "POST",
        "/api/v1/articles/ferry-timetable/comments",
        {"body": "The six o'clock crossing is back, good news."},
        token=token,
    )
    assert status == 201, body
    assert body["status"] == "approved"

    status, headers, threads = call(base, "GET", "/api/v1/articles/ferry-timetable/comments")
    assert status == 200 and headers["Cache-Control"] == "public, no-cache"
    assert threads["threads"][0]["author"]["name"] == "Wren"

    # Malformed JSON is a 400 problem over the wire too.
    request = urllib.request.Request(
        f"{base}/api/v1/articles/ferry-timetable/comments",
        data=b"{nope",
        method="POST",
        headers={"Content-Type": "application/json", "X-Session-Token": token},
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 400
    assert error.value.headers["Content-Type"] == "application/problem+json"

    # Signing out ends the token.
    status, _, _ = call(base, "DELETE", f"{auth}/auth/session", token=token)
    assert status == 401
    status, _, _ = call(base, "GET", "/api/v1/me/comments", token=token)
    assert status == 401
    assert Comment.objects.filter(article=article).count() == 1
