"""Cards show the number of approved comments, in one query for the whole list."""

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, CommentFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_cards_show_approved_comment_counts(client):
    topic = TopicFactory(in_navigation=True)
    lead = ArticleFactory(title="Lead story", topics=[topic])
    discussed = ArticleFactory(title="A discussed story", topics=[topic])
    for _ in range(3):
        CommentFactory(article=discussed)
    CommentFactory(article=discussed, status="pending")
    CommentFactory(article=discussed, status="spam")
    home = client.get(reverse("articles:home")).content.decode()
    assert "3 comments" in home
    assert "5 comments" not in home
    topic_page = client.get(topic.get_absolute_url()).content.decode()
    assert "3 comments" in topic_page
    related = client.get(lead.get_absolute_url()).content.decode()
    assert "3 comments" in related


def test_a_new_comment_count_renders_no_card_again(
    client, settings, django_capture_on_commit_callbacks, renders
):
    """A card's comment count is a slot (serving/slots.py): the page is filled again."""
    from comments import services
    from tests.factories import ConfirmedReaderFactory, ModeratorFactory, SourceFactory

    settings.PAGE_CACHE_TIMEOUT = 600
    source = SourceFactory(name="Harbour Gazette")
    articles = ArticleFactory.create_batch(12, source=source)
    discussed = articles[5]
    home = reverse("articles:home")
    page, rendered = renders(client, home, "includes/card.html")
    assert rendered == 11  # the newest leads, the others are cards

    comment = services.post_comment(
        article=discussed, author=ConfirmedReaderFactory(), body="Good to see the quay lit."
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=comment, moderator=ModeratorFactory())
    page, rendered = renders(client, home, "includes/card.html")
    assert rendered == 0 and "1 comment<" in page

    source.name = "The Harbour Gazette"
    with django_capture_on_commit_callbacks(execute=True):
        source.save()
    page, rendered = renders(client, home, "includes/card.html")
    assert rendered == 11 and "Harbour Gazette<" not in page.replace("The Harbour Gazette<", "")


def test_a_new_comment_count_does_not_render_the_home_page_again(
    client, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Most approvals are on articles the home page shows. Its cards' comment counts are
    slots (serving/slots.py): the stored page is filled again (one query: the counts)
    instead of rendered again (the cards' stories, and which articles it shows)."""
    from comments import services
    from tests.factories import ConfirmedReaderFactory, ModeratorFactory

    settings.PAGE_CACHE_TIMEOUT = 600
    topic = TopicFactory(in_navigation=True)
    articles = ArticleFactory.create_batch(30, topics=[topic])
    discussed = articles[-1]
    home = reverse("articles:home")
    client.get(home)
    comment = services.post_comment(
        article=discussed, author=ConfirmedReaderFactory(), body="Good to see the quay lit."
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=comment, moderator=ModeratorFactory())
    with django_assert_num_queries(1):  # the cards' comment counts
        page = client.get(home)
    assert page["X-Page-Cache"] == "refill" and "1 comment<" in page.content.decode()
    with django_assert_num_queries(0):
        assert client.get(home)["X-Page-Cache"] == "hit"

    discussed.title = "The quay is lit again"
    with django_capture_on_commit_callbacks(execute=True):
        discussed.save()
    assert "The quay is lit again" in client.get(home).content.decode()


def test_search_results_are_never_taken_for_plain_cards(client):
    ArticleFactory(title="Lighthouse keepers return", summary="The lamp is lit again.")
    client.get(reverse("articles:home"))  # the card is in the cache now
    page = client.get(reverse("search:search"), {"q": "lighthouse"}).content.decode()
    assert "<mark>Lighthouse</mark>" in page
