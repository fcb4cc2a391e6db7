"""viewer_facts(): the article page's one query about its reader, held to the same rules
as has_confirmed_email(), Ban.objects.active() and the reader's own comments."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from comments.models import Ban, Status
from comments.permissions import ViewerFacts, active_ban, has_confirmed_email, viewer_facts
from tests.factories import ArticleFactory, CommentFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_reader_needs_no_query(django_assert_num_queries, article):
    with django_assert_num_queries(0):
        assert viewer_facts(AnonymousUser(), article) == ViewerFacts()


def test_confirmed_email_matches_has_confirmed_email(article, confirmed):
    unconfirmed = UserFactory()
    assert viewer_facts(confirmed, article).confirmed is has_confirmed_email(confirmed) is True
    assert viewer_facts(unconfirmed, article).confirmed is has_confirmed_email(unconfirmed)
    assert has_confirmed_email(unconfirmed) is False


@pytest.mark.parametrize(
    ("until", "lifted", "banned"),
    [
        (None, False, True),  # for good
        (timedelta(hours=2), False, True),  # still running
        (timedelta(hours=-2), False, False),  # expired
        (None, True, False),  # lifted by a moderator
    ],
)
def test_ban_matches_active_ban(article, confirmed, until, lifted, banned):
    now = timezone.now()
    Ban.objects.create(
        user=confirmed,
        until=now + until if until is not None else None,
        reason="Test",
        moderator=ModeratorFactory(),
        lifted_at=now if lifted else None,
    )
    assert viewer_facts(confirmed, article).banned is banned
    assert (active_ban(confirmed) is not None) is banned


def test_own_comments_on_this_article_only(article, confirmed, django_assert_num_queries):
    CommentFactory(article=ArticleFactory(), author=confirmed)
    assert viewer_facts(confirmed, article).has_own is False
    CommentFactory(article=article, author=confirmed, status=Status.REJECTED)
    with django_assert_num_queries(1):
        assert viewer_facts(confirmed, article).has_own is True
