"""Input a reader or moderator can send gets a clear answer, never a 500."""

import pytest
from django.urls import reverse

from comments.models import Ban, Comment, Status
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

BAD_IDS = pytest.mark.parametrize(
    "value",
    ["²", "①", "9" * 5000, "99999999999999999999999", "-1", "0", "1\x00"],
    ids=["superscript", "circled", "5000-digits", "huge", "negative", "zero", "nul"],
)


@pytest.fixture
def as_reader(client, confirmed):
    client.force_login(confirmed)
    return client


@pytest.fixture
def as_moderator(client, moderator):
    client.force_login(moderator)
    return client


def test_nul_in_a_comment_is_refused_with_a_message(as_reader, article):
    response = as_reader.post(
        reverse("comments:post", args=[article.slug]), {"body": "Harbour\x00 news today"}
    )
    assert response.status_code == 400
    assert "control character" in response.content.decode()
    assert not Comment.objects.exists()


def test_nul_in_an_edit_is_refused(as_reader, article, confirmed):
    comment = CommentFactory(article=article, author=confirmed, body="The quay is closed.")
    response = as_reader.post(reverse("comments:edit", args=[comment.pk]), {"body": "A\x00B"})
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body == "The quay is closed."


@BAD_IDS
def test_a_parent_that_is_not_an_id_is_404(as_reader, article, value):
    response = as_reader.post(
        reverse("comments:post", args=[article.slug]),
        {"body": "A reply to something", "parent": value},
    )
    assert response.status_code == 404


@BAD_IDS
@pytest.mark.parametrize("param", ["article", "author", "comment", "page", "status", "reason"])
def test_queue_filters_take_anything(as_moderator, param, value):
    response = as_moderator.get(reverse("comments:queue"), {param: value})
    assert response.status_code == 200


@BAD_IDS
def test_bulk_action_with_bad_ids_says_so(as_moderator, article, value):
    comment = CommentFactory(article=article, status=Status.PENDING)
    response = as_moderator.post(
        reverse("comments:queue"),
        {"action": "approve", "comments": [value, str(comment.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choose at least one comment" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


@BAD_IDS
def test_single_button_with_a_bad_id(as_moderator, value):
    response = as_moderator.post(reverse("comments:queue"), {"single": f"approve:{value}"})
    assert response.status_code == 302


def test_huge_ids_in_urls_are_404(as_moderator):
    for path in ["/comments/99999999999999999999999/reply/", "/readers/99999999999999999999/"]:
        assert as_moderator.get(path).status_code == 404


def test_lifting_a_ban_with_nul_in_the_reason(as_moderator, moderator, confirmed):
    from comments import services

    ban = services.ban_user(user=confirmed, moderator=moderator, until=None, reason="Spam links")
    response = as_moderator.post(reverse("comments:lift_ban", args=[ban.pk]), {"reason": "ok\x00"})
    assert response.status_code == 302
    assert Ban.objects.get(pk=ban.pk).lifted_at is not None


def test_a_comment_of_invisible_characters_is_too_short(as_reader, article):
    response = as_reader.post(
        reverse("comments:post", args=[article.slug]), {"body": "\u200b\u200b\u200b"}
    )
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert not Comment.objects.exists()


def test_blocked_words_cannot_hide_in_full_width_letters(as_reader, article, settings):
    settings.COMMENTS_BLOCKED_WORDS = ["casino"]
    as_reader.post(
        reverse("comments:post", args=[article.slug]), {"body": "Best ｃａｓｉｎｏ in town"}
    )
    comment = Comment.objects.get()
    assert comment.status == Status.SPAM
    assert comment.body == "Best casino in town"
