"""Slots (serving/slots.py): a card's comment count is filled after the page renders, and
filled again (not rendered again) when only the count changed."""

import pytest
from django.test import Client
from django.urls import reverse

from comments import services
from serving import slots
from tests.factories import ArticleFactory, CommentFactory, ConfirmedReaderFactory

pytestmark = pytest.mark.django_db


def test_no_placeholder_reaches_a_reader(client, reader):
    discussed = ArticleFactory(title="Quay lamps")
    ArticleFactory.create_batch(3)
    CommentFactory.create_batch(2, article=discussed)
    signed_in = Client()
    signed_in.force_login(reader)
    for who in (client, signed_in):
        for url in (reverse("articles:home"), discussed.source.get_absolute_url()):
            page = who.get(url).content.decode()
            assert "<!--slot:" not in page
            assert "2 comments" in page


def test_what_a_reader_writes_is_never_taken_for_a_slot(client, moderator):
    article = ArticleFactory()
    fake = slots.placeholder("comment-count", article.pk)  # even knowing the token
    comment = services.post_comment(
        article=article, author=ConfirmedReaderFactory(), body=f"Look: {fake} here."
    )
    services.comment_approve(comment=comment, moderator=moderator)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Look: &lt;!--slot:" in page  # escaped like any other text
    assert "1 comment<" not in page.split("Look:")[1].split("here.")[0]


def test_a_refilled_page_is_the_page_a_render_gives(client, moderator, settings):
    ArticleFactory.create_batch(5)
    discussed = ArticleFactory(title="Pier lamps relit")
    home = reverse("articles:home")
    client.get(home)
    comment = services.post_comment(
        article=discussed, author=ConfirmedReaderFactory(), body="Good to see them lit."
    )
    services.comment_approve(comment=comment, moderator=moderator)
    refilled = client.get(home)
    assert refilled["X-Page-Cache"] == "refill"
    settings.PAGE_CACHE_ENABLED = False
    fresh = client.get(home)
    assert refilled.content.decode() == fresh.content.decode()
    assert "1 comment<" in fresh.content.decode()


def test_a_change_outside_the_slots_renders_the_page(client):
    article = ArticleFactory(title="Harbour wall repaired")
    home = reverse("articles:home")
    client.get(home)
    article.title = "Harbour wall repaired at last"
    article.save()
    page = client.get(home)
    assert page["X-Page-Cache"] == "miss"
    assert "Harbour wall repaired at last" in page.content.decode()
