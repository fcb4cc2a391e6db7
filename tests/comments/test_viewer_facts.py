"""viewer_facts(): what the article page knows about its reader, held to the same rules
as has_confirmed_email(), Ban.objects.active() and the reader's own comments, and read
from the reader's cached record (reader_record), which every write path keeps fresh."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Ban, Status
from comments.permissions import ViewerFacts, active_ban, has_confirmed_email, viewer_facts
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    ConfirmedReaderFactory,
    ModeratorFactory,
    UserFactory,
)

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
    with django_assert_num_queries(3):  # their comment changed the record: read again
        assert viewer_facts(confirmed, article).has_own is True
    with django_assert_num_queries(0):  # ...then kept, for this article and any other
        assert viewer_facts(confirmed, article).has_own is True
        assert viewer_facts(confirmed, ArticleFactory.build(pk=10**9)).has_own is False


def test_a_prolific_commenter_asks_the_database(article, confirmed, monkeypatch):
    """Past READER_ARTICLES_KEPT articles the record keeps no list: one query per page."""
    from comments import permissions

    monkeypatch.setattr(permissions, "READER_ARTICLES_KEPT", 1)
    for _ in range(2):
        CommentFactory(article=ArticleFactory(), author=confirmed)
    assert permissions.reader_record(confirmed).articles is None
    assert viewer_facts(confirmed, article).has_own is False
    CommentFactory(article=article, author=confirmed)
    assert viewer_facts(confirmed, article).has_own is True


def _primed(user, article) -> ViewerFacts:
    """Facts read once, so the record is in the cache before the write under test."""
    facts = viewer_facts(user, article)
    with CaptureQueriesContext(connection) as queries:
        assert viewer_facts(user, article) == facts
    assert len(queries) == 0
    return facts


def test_every_comment_write_path_refreshes_the_record(article, confirmed):
    from comments.models import Comment

    assert _primed(confirmed, article).has_own is False
    # bulk_create (the importer's path)
    Comment.objects.bulk_create([CommentFactory.build(article=article, author=confirmed)])
    assert viewer_facts(confirmed, article).has_own is True
    # a queryset update() moving comments to another reader (claiming imported ones)
    other = ConfirmedReaderFactory()
    assert _primed(other, article).has_own is False
    Comment.objects.filter(author=confirmed).update(author=other)
    assert viewer_facts(other, article).has_own is True
    assert viewer_facts(confirmed, article).has_own is False
    # save() with a new author (the admin), then delete()
    comment = Comment.objects.get(author=other)
    comment.author = confirmed
    comment.save()
    assert viewer_facts(confirmed, article).has_own is True
    assert viewer_facts(other, article).has_own is False
    Comment.objects.filter(pk=comment.pk).delete()
    assert viewer_facts(confirmed, article).has_own is False


def test_bans_and_addresses_refresh_the_record(article, confirmed):
    from allauth.account.models import EmailAddress

    assert _primed(confirmed, article) == ViewerFacts(confirmed=True)
    ban = Ban.objects.create(user=confirmed, reason="Test", moderator=ModeratorFactory())
    assert viewer_facts(confirmed, article).banned is True
    Ban.objects.filter(pk=ban.pk).update(lifted_at=timezone.now())  # a queryset update
    assert viewer_facts(confirmed, article).banned is False
    ban.lifted_at = None
    ban.save()
    assert _primed(confirmed, article).banned is True
    ban.delete()
    assert viewer_facts(confirmed, article).banned is False
    # Addresses: unconfirmed, deleted, confirmed again; and a new sign-in address.
    address = EmailAddress.objects.get(user=confirmed)
    address.verified = False
    address.save()
    assert viewer_facts(confirmed, article).confirmed is False
    address.verified = True
    address.save()
    assert _primed(confirmed, article).confirmed is True
    EmailAddress.objects.filter(user=confirmed).delete()
    assert viewer_facts(confirmed, article).confirmed is False
    assert viewer_facts(confirmed, article).confirmed is has_confirmed_email(confirmed)


def test_account_state_is_read_per_view(article, confirmed):
    """What lives on the user row (active, deleted, sign-in address) is never cached."""
    assert _primed(confirmed, article).confirmed is True
    confirmed.email = "another@example.org"
    assert viewer_facts(confirmed, article).confirmed is has_confirmed_email(confirmed) is False
    confirmed.refresh_from_db()
    confirmed.is_active = False
    assert viewer_facts(confirmed, article).confirmed is False


def test_an_expiring_ban_ends_without_a_write(article, confirmed, monkeypatch):
    from types import SimpleNamespace

    from comments import permissions

    ban = Ban.objects.create(
        user=confirmed,
        until=timezone.now() + timedelta(hours=1),
        reason="Test",
        moderator=ModeratorFactory(),
    )
    assert _primed(confirmed, article).banned is True
    later = SimpleNamespace(now=lambda: ban.until + timedelta(seconds=1))
    monkeypatch.setattr(permissions, "timezone", later)  # an hour on, no write between
    assert viewer_facts(confirmed, article).banned is False
