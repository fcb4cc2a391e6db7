"""The automatic rules, one by one and in their fixed order, with their reason codes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from comments import services
from comments.models import Comment, ModerationLog, Reason, Status
from comments.rules import CommentRefused
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def post(article, author, body, **kwargs):
    return services.post_comment(article=article, author=author, body=body, **kwargs)


def refused(article, author, body, **kwargs) -> CommentRefused:
    with pytest.raises(CommentRefused) as info:
        post(article, author, body, **kwargs)
    return info.value


# Rule 1 ---------------------------------------------------------------------------------


def test_too_short_is_refused_and_not_stored(article, regular):
    error = refused(article, regular, "  x ")
    assert error.code == Reason.TOO_SHORT and error.http_status == 400
    assert "too short" in error.message
    assert not Comment.objects.filter(article=article).exists()


def test_too_long_is_refused_with_the_limit(article, regular, settings):
    settings.COMMENTS_MAX_LENGTH = 50
    error = refused(article, regular, "w" * 51)
    assert error.code == Reason.TOO_LONG and "the limit is 50" in error.message
    assert not Comment.objects.filter(article=article).exists()
    assert post(article, regular, "w" * 50).pk  # exactly the limit is fine


def test_length_comes_before_closed(article, regular):
    article.comments_enabled = False
    article.save()
    assert refused(article, regular, "").code == Reason.TOO_SHORT


# Rule 2 ---------------------------------------------------------------------------------


def test_closed_article_refuses(article, regular):
    article.comments_enabled = False
    article.save()
    error = refused(article, regular, "Is the late ferry staying?")
    assert error.code == Reason.CLOSED and error.http_status == 403


def test_comments_close_after_n_days(regular, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 7
    old = ArticleFactory(published_at=timezone.now() - timedelta(days=8))
    fresh = ArticleFactory(published_at=timezone.now() - timedelta(days=6))
    assert refused(old, regular, "Still relevant?").code == Reason.CLOSED
    assert post(fresh, regular, "Still relevant?").pk


def test_closed_comes_before_duplicate(article, regular):
    post(article, regular, "Same words again")
    article.comments_enabled = False
    article.save()
    assert refused(article, regular, "Same words again").code == Reason.CLOSED


# Rule 3 ---------------------------------------------------------------------------------


def test_duplicate_of_recent_comment_is_refused(article, regular, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0
    post(article, regular, "The new timetable suits commuters.")
    other = ArticleFactory()
    # Case and spacing do not make it new, nor does another article.
    error = refused(other, regular, "the new   timetable suits COMMUTERS.")
    assert error.code == Reason.DUPLICATE
    assert Comment.objects.filter(author=regular, article__in=[article, other]).count() == 1


def test_old_duplicate_is_allowed(article, regular, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0
    long_ago = timezone.now() - timedelta(hours=settings.COMMENTS_DUPLICATE_HOURS + 1)
    post(article, regular, "Said it before.", now=long_ago)
    assert post(article, regular, "Said it before.").pk


def test_duplicate_comes_before_flood(article, regular):
    post(article, regular, "Twice, quickly.")
    assert refused(article, regular, "Twice, quickly.").code == Reason.DUPLICATE


# Rule 4 ---------------------------------------------------------------------------------


def test_flood_refuses_with_429(article, regular):
    post(article, regular, "First thought.")
    error = refused(article, regular, "Second thought, right away.")
    assert error.code == Reason.FLOOD and error.http_status == 429
    assert "15 seconds" in error.message


def test_flood_is_read_from_the_stored_comments_not_a_process_cache(article, regular):
    # Without Redis each gunicorn worker has its own memory (an empty cache is what the
    # next worker sees): the rule still holds, and says how long is left (issue 33).
    from django.core.cache import cache

    first = post(article, regular, "First thought.")
    cache.clear()
    error = refused(
        article, regular, "Second thought.", now=first.created_at + timedelta(seconds=4)
    )
    assert error.code == Reason.FLOOD and error.retry_after == 11
    later = first.created_at + timedelta(seconds=15, milliseconds=1)
    assert post(article, regular, "Third thought, later.", now=later).pk


def test_flood_is_per_reader(article, regular, confirmed):
    post(article, regular, "First thought.")
    assert post(article, confirmed, "Someone else's thought.").pk


def test_flood_limit_is_a_setting(article, regular, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0
    post(article, regular, "First thought.")
    assert post(article, regular, "Second thought.").pk


# Rule 5 ---------------------------------------------------------------------------------


def test_blocked_word_goes_to_spam(article, regular, settings, no_premoderation):
    settings.COMMENTS_BLOCKED_WORDS = ["casino"]
    comment = post(article, regular, "Visit my CASINO tonight")
    assert (comment.status, comment.hold_reason) == (Status.SPAM, Reason.BLOCKED_WORD)
    assert comment.hold_reason_text == "Contains a blocked word"


def test_blocked_words_match_whole_words(article, regular, settings, no_premoderation):
    settings.COMMENTS_BLOCKED_WORDS = ["ass"]
    assert post(article, regular, "The harbour class meets today").status == Status.APPROVED


def test_blocked_word_applies_to_trusted_readers(article, trusted, settings):
    settings.COMMENTS_BLOCKED_WORDS = ["casino"]
    assert post(article, trusted, "casino night").status == Status.SPAM


def test_blocked_comes_before_watched_and_links(article, regular, settings):
    settings.COMMENTS_BLOCKED_WORDS = ["casino"]
    settings.COMMENTS_WATCHED_WORDS = ["ferry"]
    comment = post(article, regular, "casino ferry https://a.example https://b.example")
    assert comment.hold_reason == Reason.BLOCKED_WORD


# Rule 6 ---------------------------------------------------------------------------------


def test_watched_word_goes_to_pending(article, regular, settings, no_premoderation):
    settings.COMMENTS_WATCHED_WORDS = ["lawsuit"]
    comment = post(article, regular, "There will be a lawsuit over this.")
    assert (comment.status, comment.hold_reason) == (Status.PENDING, Reason.WATCHED_WORD)


def test_watched_comes_before_links(article, regular, settings):
    settings.COMMENTS_WATCHED_WORDS = ["lawsuit"]
    comment = post(article, regular, "lawsuit https://a.example https://b.example")
    assert comment.hold_reason == Reason.WATCHED_WORD


# Rule 7 ---------------------------------------------------------------------------------


def test_two_links_go_to_pending(article, regular, no_premoderation):
    comment = post(article, regular, "See https://a.example/x and www.b.example/y")
    assert (comment.status, comment.hold_reason) == (Status.PENDING, Reason.LINKS)


def test_one_link_passes(article, regular, no_premoderation):
    assert post(article, regular, "See https://a.example/x").status == Status.APPROVED


def test_links_come_before_history(article, confirmed):
    comment = post(article, confirmed, "https://a.example https://b.example")
    assert comment.hold_reason == Reason.LINKS


# Rule 8 ---------------------------------------------------------------------------------


def test_new_reader_is_premoderated(article, confirmed, no_premoderation):
    comment = post(article, confirmed, "My first comment here.")
    assert (comment.status, comment.hold_reason) == (Status.PENDING, Reason.NEW_READER)


def test_reader_with_two_approved_passes(article, confirmed, no_premoderation):
    CommentFactory.create_batch(2, author=confirmed, status=Status.APPROVED)
    assert post(article, confirmed, "Now I am known.").status == Status.APPROVED


def test_recent_rejection_premoderates_again(article, regular, no_premoderation):
    CommentFactory(author=regular, status=Status.REJECTED)
    comment = post(article, regular, "Trying again.")
    assert (comment.status, comment.hold_reason) == (Status.PENDING, Reason.RECENT_REJECTIONS)


def test_old_rejection_is_forgiven(article, regular, no_premoderation, settings):
    CommentFactory(
        author=regular,
        status=Status.SPAM,
        created_at=timezone.now() - timedelta(days=settings.COMMENTS_HISTORY_DAYS + 1),
    )
    assert post(article, regular, "Trying again.").status == Status.APPROVED


def test_history_comes_before_premoderation(article, confirmed):
    assert post(article, confirmed, "Hello.").hold_reason == Reason.NEW_READER


# Rule 9 ---------------------------------------------------------------------------------


def test_site_premoderation_is_on_by_default(article, regular):
    comment = post(article, regular, "Everything waits.")
    assert (comment.status, comment.hold_reason) == (Status.PENDING, Reason.PREMODERATION)


def test_without_premoderation_a_regular_is_approved(article, regular, no_premoderation):
    comment = post(article, regular, "Straight through.")
    assert (comment.status, comment.hold_reason) == (Status.APPROVED, Reason.PASSED)


# Trusted readers and staff ----------------------------------------------------------------


def test_trusted_reader_is_approved_at_once(article, trusted, settings):
    settings.COMMENTS_WATCHED_WORDS = ["lawsuit"]
    comment = post(article, trusted, "lawsuit https://a.example https://b.example")
    assert (comment.status, comment.hold_reason) == (Status.APPROVED, Reason.TRUSTED)


def test_staff_is_approved_at_once(article, moderator):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=moderator, email=moderator.email, verified=True)
    assert post(article, moderator, "Note from the desk.").status == Status.APPROVED


def test_trusted_still_refused_by_refusal_rules(article, trusted):
    assert refused(article, trusted, "").code == Reason.TOO_SHORT


# Who may post at all ------------------------------------------------------------------------


def test_unconfirmed_email_is_refused(article, reader):
    error = refused(article, reader, "Let me in.")
    assert error.code == "unconfirmed" and error.http_status == 403


def test_every_automatic_decision_is_logged_as_system(article, regular, settings):
    settings.COMMENTS_BLOCKED_WORDS = ["casino"]
    comment = post(article, regular, "casino")
    entry = ModerationLog.objects.get(comment=comment)
    assert entry.action == "posted" and entry.moderator is None and entry.actor == "system"
    assert (entry.from_status, entry.to_status) == ("", Status.SPAM)
    assert entry.reason == "Contains a blocked word"


def test_reply_depth_stops_at_three_levels(article, regular, confirmed, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0
    top = CommentFactory(article=article)
    second = CommentFactory(article=article, parent=top)
    third = CommentFactory(article=article, parent=second)
    reply = post(article, regular, "Deeper still.", parent=third)
    assert reply.parent == second and reply.depth == 2 and reply.thread_id == top.pk


def test_cannot_reply_to_a_pending_comment(article, regular):
    pending = CommentFactory(article=article, status=Status.PENDING)
    assert refused(article, regular, "Hello?", parent=pending).code == "parent"
