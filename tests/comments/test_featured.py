"""Featured comments (issue 33): a moderator's picks, first on the article and in the API."""

import pytest
from django.core.exceptions import PermissionDenied

from comments.featured import comment_feature, comment_unfeature
from comments.models import ModerationLog, Status
from comments.selectors import article_comments
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

QUEUE = "/comments/moderation/"


def test_a_moderator_features_and_unfeatures_with_a_log(article, moderator):
    comment = CommentFactory(article=article, status=Status.APPROVED)
    assert comment_feature(comment=comment, moderator=moderator) == [comment]
    assert comment.featured_at is not None
    assert comment_feature(comment=comment, moderator=moderator) == []  # already
    assert comment_unfeature(comment=comment, moderator=moderator) == [comment]
    comment.refresh_from_db()
    assert comment.featured_at is None
    log = ModerationLog.objects.filter(comment=comment).order_by("id")
    actions = list(log.values_list("action", flat=True))
    assert actions == ["feature", "unfeature"]


def test_only_approved_comments_are_featured_and_only_by_moderators(article, moderator, reader):
    pending = CommentFactory(article=article, status=Status.PENDING)
    assert comment_feature(comment=pending, moderator=moderator) == []
    approved = CommentFactory(article=article, status=Status.APPROVED)
    with pytest.raises(PermissionDenied):
        comment_feature(comment=approved, moderator=reader)


def test_the_article_shows_the_featured_block_first(client, article, moderator):
    first = CommentFactory(article=article, body="An early, ordinary remark.")
    pick = CommentFactory(article=article, body="The ferry timetable, explained well.")
    comment_feature(comment=pick, moderator=moderator)
    page = client.get(article.get_absolute_url()).content.decode()
    block = page.index('class="comments__featured"')
    assert block < page.index(f'id="comment-{first.pk}"')
    assert page.index("The ferry timetable, explained well.") > block
    assert f'href="{pick.get_absolute_url()}"' in page
    assert "comment__badge--featured" in page  # marked in its thread too


def test_a_rejected_pick_leaves_the_block_and_comes_back_when_restored(client, article, moderator):
    from comments import services

    pick = CommentFactory(article=article, body="Worth reading first.")
    comment_feature(comment=pick, moderator=moderator)
    services.comment_reject(comment=pick, moderator=moderator)
    assert article_comments(article=article, user=None).featured == []
    assert "comments__featured" not in client.get(article.get_absolute_url()).content.decode()
    services.comment_restore(comment=pick, moderator=moderator)
    assert [c.pk for c in article_comments(article=article, user=None).featured] == [pick.pk]


def test_the_thread_takes_a_third_query_only_when_something_is_featured(
    article, moderator, django_assert_num_queries
):
    pick = CommentFactory(article=article)
    with django_assert_num_queries(2):
        article_comments(article=article, user=None)
    comment_feature(comment=pick, moderator=moderator)
    with django_assert_num_queries(3):
        assert article_comments(article=article, user=None).featured == [pick]


def test_the_queue_features_with_its_buttons(client, article, moderator):
    comment = CommentFactory(article=article, status=Status.APPROVED)
    client.force_login(moderator)
    page = client.get(QUEUE + "?status=approved").content.decode()
    assert f'value="feature:{comment.pk}"' in page
    response = client.post(QUEUE, {"single": f"feature:{comment.pk}", "next": QUEUE})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.featured_at is not None
    page = client.get(QUEUE + "?status=approved").content.decode()
    assert f'value="unfeature:{comment.pk}"' in page and "status--featured" in page
    answer = client.post(
        QUEUE,
        {"single": f"unfeature:{comment.pk}"},
        headers={"X-Requested-With": "moderation"},
    ).json()
    assert answer["message"] == "1 comment no longer featured."
    assert f'value="feature:{comment.pk}"' in answer["rows"][str(comment.pk)]


def test_the_api_lists_the_picks_and_marks_them(client, article, moderator):
    pick = CommentFactory(article=article, body="A pick.")
    other = CommentFactory(article=article, body="Not a pick.")
    comment_feature(comment=pick, moderator=moderator)
    body = client.get(f"/api/v1/articles/{article.slug}/comments").json()
    assert [c["id"] for c in body["featured"]] == [pick.pk]
    assert body["featured"][0]["body"] == "A pick." and body["featured"][0]["replies"] == []
    marks = {c["id"]: c["featured"] for c in body["threads"]}
    assert marks == {pick.pk: True, other.pk: False}
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "featured" in schema["CommentThreads"]["properties"]
    assert "featured" in schema["PublicComment"]["properties"]
