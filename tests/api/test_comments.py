"""Comments through the API: the web's rules, and nobody else's comments."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from comments.models import Ban, Comment, Report, Status
from tests.factories import CommentFactory, ConfirmedReaderFactory, UserFactory, ensure_staff_groups

from .conftest import AppClient, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def trusted_ada(ada):
    ensure_staff_groups()  # a transactional test may have flushed them
    ada.groups.add(Group.objects.get(name="Trusted readers"))
    return ada


def _post(client_app, article, body="The winter timetable suits early commuters.", **extra):
    return client_app.send(
        "post", f"/api/v1/articles/{article.slug}/comments", {"body": body, **extra}
    )


def test_threads_show_approved_comments_and_placeholders_never_pending(app, article):
    root = CommentFactory(article=article, body="Approved root")
    CommentFactory(article=article, parent=root, body="Approved reply")
    CommentFactory(article=article, body="Waiting for a moderator", status=Status.PENDING)
    CommentFactory(article=article, body="Rejected words", status=Status.REJECTED)
    CommentFactory(article=article, body="Taken down", status=Status.REMOVED)

    body = app.get(f"/api/v1/articles/{article.slug}/comments").json()

    text = json.dumps(body)
    assert "Waiting for a moderator" not in text and "Rejected words" not in text
    assert "Taken down" not in text
    assert body["approved_count"] == 2
    first, placeholder = body["threads"]
    assert first["body"] == "Approved root"
    assert first["replies"][0]["body"] == "Approved reply"
    assert first["author"]["name"] == root.author.public_name
    assert (placeholder["status"], placeholder["body"], placeholder["author"]) == (
        "removed",
        None,
        None,
    )


def test_writes_need_a_token(app, article):
    app.client.handler.enforce_csrf_checks = True  # as on a real server
    response = _post(app, article)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert AppClient(app.client, "not-a-token").get("/api/v1/me/comments").status_code == 401
    assert _post(AppClient(app.client, "not-a-token"), article).status_code == 401


def test_post_goes_through_the_rules_and_waits_for_a_moderator(ada_app, article):
    response = _post(ada_app, article)
    assert response.status_code == 201, response.content
    comment = Comment.objects.get()
    assert response.json()["status"] == comment.status == Status.PENDING
    assert comment.hold_reason == "new_reader"
    assert comment.ip_address == "127.0.0.1"
    # Nobody else sees it; its author does, in their own list.
    assert ada_app.get(f"/api/v1/articles/{article.slug}/comments").json()["threads"] == []
    mine = ada_app.get("/api/v1/me/comments").json()["items"]
    assert [c["id"] for c in mine] == [comment.pk]


def test_trusted_reader_publishes_at_once_and_the_thread_shows_it(
    client, trusted_ada, article, settings
):
    settings.COMMENTS_FLOOD_SECONDS = 0
    ada_app = AppClient(client, sign_in(client, trusted_ada.email))
    assert AppClient(client).get(f"/api/v1/articles/{article.slug}/comments").status_code == 200

    response = _post(ada_app, article)
    assert response.json()["status"] == "approved"

    threads = AppClient(client).get(f"/api/v1/articles/{article.slug}/comments").json()
    assert threads["threads"][0]["id"] == response.json()["id"]
    reply = _post(ada_app, article, "And a reply to myself.", parent_id=response.json()["id"])
    assert reply.json()["parent_id"] == response.json()["id"]


def test_reply_to_a_pending_or_foreign_comment_is_404(ada_app, article):
    pending = CommentFactory(article=article, status=Status.PENDING)
    elsewhere = CommentFactory()
    assert _post(ada_app, article, parent_id=pending.pk).status_code == 404
    assert _post(ada_app, article, parent_id=elsewhere.pk).status_code == 404


def test_refusals_are_problems_with_the_rule_code(ada_app, article, settings):
    too_short = _post(ada_app, article, "x")
    assert too_short.status_code == 400
    assert too_short.json()["code"] == "too_short"

    assert _post(ada_app, article).status_code == 201
    again = _post(ada_app, article, "Another thought, posted too soon.")
    assert again.status_code == 429
    assert again.json()["code"] == "flood"
    assert again["Retry-After"] == str(settings.COMMENTS_FLOOD_SECONDS)


def test_flood_holds_between_the_web_and_the_api(client, ada_app, ada, article):
    # docs/api.md's promise: the API accepted a second post 22 ms after the first when
    # the two requests reached gunicorn workers with their own memory (issue 33).
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    web = Client()
    web.force_login(ada)
    url = reverse("comments:post", args=[article.slug])
    assert web.post(url, {"body": "First, on the website."}).status_code == 302
    cache.clear()  # the next worker's memory
    again = _post(ada_app, article, "Second, from the app at once.")
    assert (again.status_code, again.json()["code"]) == (429, "flood")
    assert 1 <= int(again["Retry-After"]) <= 15
    cache.clear()
    on_web = web.post(url, {"body": "Third, on the website again."})
    assert on_web.status_code == 429 and 1 <= int(on_web["Retry-After"]) <= 15
    assert Comment.objects.filter(author=ada).count() == 1


def test_banned_and_unconfirmed_readers_are_refused(client, ada, article):
    Ban.objects.create(user=ada, until=None, reason="Abuse")
    banned = _post(AppClient(client, sign_in(client, ada.email)), article)
    assert banned.status_code == 403
    assert banned.json()["code"] == "banned"

    unconfirmed = UserFactory()
    response = client.post(
        "/_allauth/app/v1/auth/login",
        json.dumps({"email": unconfirmed.email, "password": "a-Long-passw0rd!"}),
        content_type="application/json",
    )
    # allauth will not sign in an unconfirmed address: the flow asks for verification.
    assert response.status_code == 401
    assert response.json()["data"]["flows"][-1] == {"id": "verify_email", "is_pending": True}
    assert Comment.objects.count() == 0


def test_malformed_json_is_a_400_problem_and_a_missing_body_a_422(ada_app, article):
    url = f"/api/v1/articles/{article.slug}/comments"
    broken = ada_app.send("post", url, raw='{"body": "unterminated')
    assert broken.status_code == 400
    assert broken["Content-Type"] == "application/problem+json"
    assert broken.json()["title"] == "Bad Request"

    missing = ada_app.send("post", url, {"text": "wrong field"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"] == ["body", "payload", "body"]
    assert Comment.objects.count() == 0


def test_edit_and_remove_own_comment_within_the_window(ada_app, ada, article):
    comment = CommentFactory(article=article, author=ada, status=Status.APPROVED)
    edited = ada_app.send("patch", f"/api/v1/comments/{comment.pk}", {"body": "Better words."})
    assert edited.status_code == 200
    assert edited.json()["body"] == "Better words."

    assert ada_app.send("delete", f"/api/v1/comments/{comment.pk}").status_code == 204
    comment.refresh_from_db()
    assert comment.status == Status.REMOVED

    old = CommentFactory(
        article=article, author=ada, created_at=timezone.now() - timedelta(hours=1)
    )
    late = ada_app.send("patch", f"/api/v1/comments/{old.pk}", {"body": "Too late now."})
    assert late.status_code == 403
    assert late.json()["code"] == "edit_window"


def test_another_readers_comment_cannot_be_edited_removed_or_seen_pending(
    ada_app, bram_app, bram, article
):
    theirs = CommentFactory(article=article, author=bram, status=Status.PENDING, body="Bram's")
    approved = CommentFactory(article=article, author=bram, status=Status.APPROVED)
    for target in (theirs, approved):
        edit = ada_app.send("patch", f"/api/v1/comments/{target.pk}", {"body": "Hijacked"})
        assert edit.status_code == 404
        assert ada_app.send("delete", f"/api/v1/comments/{target.pk}").status_code == 404
    assert ada_app.get("/api/v1/me/comments", status="all").json()["items"] == []
    assert "Bram's" not in ada_app.get(f"/api/v1/articles/{article.slug}/comments").content.decode()
    # Reporting needs a published comment: a pending one is as absent as a missing one.
    report = ada_app.send("post", f"/api/v1/comments/{theirs.pk}/report", {"reason": "Rude"})
    assert report.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.body, theirs.status) == ("Bram's", Status.PENDING)
    assert [c["id"] for c in bram_app.get("/api/v1/me/comments").json()["items"]] == [theirs.pk]


def test_report_once_and_never_ones_own(ada_app, ada, bram, article):
    theirs = CommentFactory(article=article, author=bram)
    mine = CommentFactory(article=article, author=ada)
    url = f"/api/v1/comments/{theirs.pk}/report"
    assert ada_app.send("post", url, {"category": "off_topic"}).status_code == 201
    assert ada_app.send("post", url, {"reason": "Off topic"}).json()["code"] == "already_reported"
    report = Report.objects.get()
    assert (report.category, report.reason) == ("off_topic", "")
    bad = ada_app.send("post", url, {"category": "made-up"})
    assert bad.status_code in (400, 422)
    own = ada_app.send("post", f"/api/v1/comments/{mine.pk}/report", {"reason": "Oops"})
    assert own.status_code == 403


def test_cookie_requests_still_need_csrf(client, ada, article):
    client.force_login(ada)
    url = f"/api/v1/articles/{article.slug}/comments"
    body = json.dumps({"body": "Posted from the web page's script."})
    client.handler.enforce_csrf_checks = True
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"

    client.get(article.get_absolute_url())  # its comment form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    allowed = client.post(
        url, body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert allowed.status_code == 201, allowed.content


def test_signed_in_post_takes_at_most_sixteen_queries(
    ada_app, ada, article, django_assert_max_num_queries
):
    CommentFactory.create_batch(3, article=article)
    # 16: the flood rule reads the reader's last post under a lock on their row (issue 33).
    with django_assert_max_num_queries(16):
        response = _post(ada_app, article)
    assert response.status_code == 201


def test_personal_responses_are_never_stored(ada_app, ada, article):
    CommentFactory(article=article, author=ada, status=Status.PENDING)
    response = ada_app.get("/api/v1/me/comments")
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Page-Cache" not in response
    assert ConfirmedReaderFactory()  # another reader's first request is not a hit either


def test_no_comment_on_a_draft_and_an_approval_shows_at_once(ada_app, ada, moderator, article):
    from articles.models import Article
    from comments import services
    from tests.factories import ArticleFactory

    draft = ArticleFactory(slug="draft", status=Article.Status.DRAFT)
    assert _post(ada_app, draft).status_code == 404

    url = f"/api/v1/articles/{article.slug}/comments"
    posted = _post(ada_app, article).json()
    assert ada_app.get(url).json()["threads"] == []
    assert ada_app.get(url)["X-Page-Cache"] == "hit"
    services.comment_approve(comment=Comment.objects.get(pk=posted["id"]), moderator=moderator)
    assert [t["id"] for t in ada_app.get(url).json()["threads"]] == [posted["id"]]


def test_threads_take_the_same_queries_for_one_comment_or_thirty(
    app, article, django_assert_num_queries
):
    CommentFactory(article=article)
    url = f"/api/v1/articles/{article.slug}/comments"
    with django_assert_num_queries(4):  # and the next scheduled change, remembered
        app.get(url, page=1)
    for _ in range(10):
        root = CommentFactory(article=article)
        CommentFactory(article=article, parent=CommentFactory(article=article, parent=root))
    # The article, the counts, the page's threads with their authors. (The next scheduled
    # change is remembered until an article or promo changes: comments do not.)
    with django_assert_num_queries(3):
        body = app.get(url, order="oldest").json()
    assert body["approved_count"] == 31
