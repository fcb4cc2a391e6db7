"""The article body is printed with |safe: whatever path writes it, a script stays inert."""

import pytest
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse

from articles.models import Article
from tests.factories import EMPTY_ARTICLE_INLINES, ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db

HOSTILE = (
    "<p>Harbour news.</p><script>window.pwned = 1</script>"
    '<img src="https://img.example.org/a.jpg" onerror="window.pwned = 2">'
    '<a href="javascript:window.pwned = 3">link</a>'
)


def _assert_inert(article: Article) -> None:
    article.refresh_from_db()
    assert "pwned" not in article.body and "Harbour news." in article.body
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "pwned" not in page and "Harbour news." in page


def test_save():
    _assert_inert(ArticleFactory(body=HOSTILE))


def test_queryset_update():
    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(body=HOSTILE)
    _assert_inert(article)


def test_bulk_create():
    source = SourceFactory()
    [article] = Article.objects.bulk_create(
        [Article(title="Bulk", slug="bulk", body=HOSTILE, source=source, status="published")]
    )
    Article.objects.filter(pk=article.pk).update(published_at=ArticleFactory().published_at)
    _assert_inert(article)


def test_bulk_update():
    article = ArticleFactory()
    article.body = HOSTILE
    Article.objects.bulk_update([article], ["body"])
    _assert_inert(article)


def test_update_to_an_expression_is_refused():
    article = ArticleFactory()
    with pytest.raises(TypeError, match="sanitized"):
        Article.objects.filter(pk=article.pk).update(body=Concat("body", Value("<script>")))


def test_admin_form(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "lead_image"}
    data.update(
        {
            "body": HOSTILE,
            "source": article.source_id,
            "topics": [],
            "published_at_0": article.published_at.strftime("%Y-%m-%d"),
            "published_at_1": article.published_at.strftime("%H:%M:%S"),
            "comments_enabled": "on",
            **EMPTY_ARTICLE_INLINES,
        }
    )
    data = {k: v for k, v in data.items() if v not in ("", None, [])}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    _assert_inert(article)
