"""Comments show the author's picture or a generated default, and link the name to the
public profile (never for a deleted account)."""

import pytest

from accounts.services import delete_account
from comments.models import Status
from tests.factories import CommentFactory, ConfirmedReaderFactory

pytestmark = pytest.mark.django_db


def test_comment_shows_avatar_and_links_the_name(client, article):
    author = ConfirmedReaderFactory(display_name="Zoe Brandt")
    CommentFactory(article=article, author=author, status=Status.APPROVED)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'<a class="comment__author" href="/readers/{author.pk}/">Zoe Brandt</a>' in page
    tone = author.pk % 6
    assert f'avatar--initial avatar--tone-{tone}" aria-hidden="true">Z</span>' in page


def test_deleted_author_links_nowhere(client, article):
    author = ConfirmedReaderFactory(display_name="Gone Reader")
    CommentFactory(article=article, author=author, status=Status.APPROVED)
    delete_account(user=author)
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="comment__author">[deleted]</span>' in page
    assert f"/readers/{author.pk}/" not in page


def test_uploaded_picture_is_shown(client, article):
    author = ConfirmedReaderFactory(display_name="Pic Reader")
    author.avatar.name = "avatars/demo.webp"
    author.save(update_fields=["avatar"])
    CommentFactory(article=article, author=author, status=Status.APPROVED)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'src="/media/avatars/demo.webp"' in page


def test_deleted_author_gets_a_neutral_placeholder_not_a_bracket(client, article):
    # "[deleted]" has no initial: the disc showed "[" (issue 33).
    author = ConfirmedReaderFactory(display_name="Gone Reader")
    CommentFactory(article=article, author=author, status=Status.APPROVED)
    delete_account(user=author)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'avatar--deleted" aria-hidden="true"><svg viewBox="0 0 24 24"' in page
    assert 'aria-hidden="true">[</span>' not in page
    assert f"avatar--tone-{author.pk % 6}" not in page
