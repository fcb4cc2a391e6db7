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
