"""The anonymous page cache and comments: pending stays private, decisions show at once."""

import pytest
from django.test import Client

from comments import services
from tests.factories import ArticleFactory, ConfirmedReaderFactory, ModeratorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _long_page_cache(settings):
    # Without Redis pages live one second; a loaded machine hashing a password can take
    # longer than that between two requests.
    settings.PAGE_CACHE_TIMEOUT = 600


BODY = "The new quay lights are much kinder to the night sky."


def test_pending_comment_private_then_public_after_approval(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    url = article.get_absolute_url()
    anonymous, author = Client(), Client()
    reader = ConfirmedReaderFactory()
    author.force_login(reader)

    anonymous.get(url)  # fills the cache
    with django_assert_num_queries(0):
        assert anonymous.get(url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        comment = services.post_comment(article=article, author=reader, body=BODY)
    assert comment.status == "pending"
    own_page = author.get(url).content.decode()
    assert BODY in own_page and "Awaiting moderation" in own_page
    cached = anonymous.get(url)
    assert BODY not in cached.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=comment, moderator=ModeratorFactory())
    fresh = anonymous.get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert BODY in fresh.content.decode()
    assert "Comments (1)" in fresh.content.decode()


def test_removing_a_comment_refreshes_the_cached_page(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    reader = ConfirmedReaderFactory()
    comment = services.post_comment(article=article, author=reader, body=BODY)
    services.comment_approve(comment=comment, moderator=ModeratorFactory())
    anonymous = Client()
    assert BODY in anonymous.get(article.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_comment(comment=comment, author=reader)
    page = anonymous.get(article.get_absolute_url()).content.decode()
    assert BODY not in page and "This comment was removed" in page


def test_new_display_name_shows_on_cached_pages(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    reader = ConfirmedReaderFactory(display_name="Ines Marlow")
    comment = services.post_comment(article=article, author=reader, body=BODY)
    services.comment_approve(comment=comment, moderator=ModeratorFactory())
    anonymous = Client()
    assert "Ines Marlow" in anonymous.get(article.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reader.display_name = "Ines M."
        reader.save()
    page = anonymous.get(article.get_absolute_url()).content.decode()
    assert "Ines M." in page and "Ines Marlow" not in page


def test_signing_in_does_not_empty_the_page_cache(client):
    article = ArticleFactory()
    anonymous = Client()
    anonymous.get(article.get_absolute_url())
    reader = ConfirmedReaderFactory()
    client.force_login(reader)  # saves last_login only
    assert anonymous.get(article.get_absolute_url())["X-Page-Cache"] == "hit"


def test_an_approval_renders_the_new_comment_card_only(renders, django_capture_on_commit_callbacks):
    """Cards are kept under their comment's own tag (comments_tags.cached_cards): the
    page renders again for the new comment, not the thread's other cards."""
    article = ArticleFactory()
    moderator = ModeratorFactory()
    readers = ConfirmedReaderFactory.create_batch(4)
    for n, reader in enumerate(readers):
        comment = services.post_comment(article=article, author=reader, body=f"{BODY} {n}")
        services.comment_approve(comment=comment, moderator=moderator)
    anonymous, url, card = (
        Client(),
        article.get_absolute_url(),
        "comments/includes/comment_card.html",
    )
    assert renders(anonymous, url, card)[1] == 4
    newcomer = ConfirmedReaderFactory(display_name="Ines Marlow")
    comment = services.post_comment(article=article, author=newcomer, body="Kinder indeed.")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=comment, moderator=moderator)
    page, rendered = renders(anonymous, url, card)
    assert rendered == 1 and "Kinder indeed." in page and "Comments (5)" in page
