"""The API under a stall: a comment post blocked by a locked table gets a 503 problem
with Retry-After, not an HTML page or a hang; the post after the lock is stored."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from comments.models import Comment
from tests.serving.test_stalls import comments_locked


@pytest.fixture
def short_lock_wait(transactional_db):
    """This test's own connection waits half a second for a lock, as a web request with
    DB_LOCK_TIMEOUT=0.5 would (the same setting, applied to the open connection)."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET lock_timeout = '500ms'")
        else:
            cursor.execute("PRAGMA busy_timeout = 500")


def test_a_locked_comments_table_is_a_503_problem_then_the_post_works(
    short_lock_wait, ada_app, article
):
    path = f"/api/v1/articles/{article.slug}/comments"
    with comments_locked():
        started = time.monotonic()
        response = ada_app.send("post", path, {"body": "Is the ferry running today?"})
        assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    assert response.json()["status"] == 503
    assert not Comment.objects.exists()
    again = ada_app.send("post", path, {"body": "Is the ferry running today?"})
    assert again.status_code == 201, again.content
    assert Comment.objects.get().body == "Is the ferry running today?"
