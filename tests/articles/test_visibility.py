"""Who sees which article, and what a reader gets for the rest."""

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _get(client, article):
    return client.get(reverse("articles:detail", kwargs={"slug": article.slug}))


def test_published_article_is_visible(client):
    article = ArticleFactory(title="Lighthouse keepers return")
    response = _get(client, article)
    assert response.status_code == 200
    assert "Lighthouse keepers return" in response.content.decode()


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.WITHDRAWN])
def test_draft_and_withdrawn_are_404_for_readers(client, reader, status):
    article = ArticleFactory(status=status, title="Secret plan for the ferry")
    client.force_login(reader)
    response = _get(client, article)
    assert response.status_code == 404
    assert "Secret plan" not in response.content.decode()


def test_scheduled_article_hidden_until_its_time(client):
    article = ArticleFactory(published_at=timezone.now() + timezone.timedelta(hours=1))
    assert _get(client, article).status_code == 404
    assert article not in Article.objects.published()
    later = timezone.now() + timezone.timedelta(hours=2)
    assert article in Article.objects.published(now=later)


def test_scheduled_article_appears_by_itself(client):
    article = ArticleFactory(published_at=timezone.now() + timezone.timedelta(seconds=1))
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert _get(client, article).status_code == 200


def test_unknown_slug_is_404(client, db):
    assert client.get("/articles/no-such-story/").status_code == 404


def test_staff_preview_shows_banner(client, editor):
    article = ArticleFactory(status=Article.Status.DRAFT)
    client.force_login(editor)
    response = _get(client, article)
    assert response.status_code == 200
    assert "Preview - not published" in response.content.decode()


def test_published_page_has_no_preview_banner_for_staff(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    assert "Preview - not published" not in _get(client, article).content.decode()


def test_home_lists_only_published(client):
    ArticleFactory(title="Visible story about tides")
    ArticleFactory(title="Draft story about kelp", status=Article.Status.DRAFT)
    ArticleFactory(
        title="Future story about gulls",
        published_at=timezone.now() + timezone.timedelta(days=1),
    )
    body = client.get(reverse("articles:home")).content.decode()
    assert "Visible story about tides" in body
    assert "Draft story about kelp" not in body
    assert "Future story about gulls" not in body
