"""The demo: library pictures and articles with a history to compare."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, ArticleRevision, Image

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_renditions_at_one_width")]


def test_demo_articles_use_the_library_and_have_a_history(client, editor):
    call_command("seed_demo", verbosity=0)
    # The demo's own stories use library pictures (the covered-story extras keep theirs).
    assert Article.objects.filter(image__isnull=False).count() == Image.objects.count() >= 30
    with_history = Article.objects.filter(revisions__isnull=False).distinct()
    assert with_history.count() >= 5
    article = with_history.first()
    assert ArticleRevision.objects.filter(article=article).count() == 2
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_diff", args=[article.pk]))
    assert "(draft)" in page.content.decode() and "<del>" in page.content.decode()
    images = Image.objects.count()
    call_command("seed_demo", verbosity=0)  # idempotent
    assert Image.objects.count() == images
