"""A correction is one service (articles.publishing.correct), the one the admin uses: the
row, the article modified now (its head, feeds and sitemaps), followers' story updates
(tests/following/test_briefing_content.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Article, Correction
from tests import factories
from tests.serving.admin_forms import admin_change

pytestmark = pytest.mark.django_db


def test_a_correction_from_the_admin_is_dated_now_and_modifies_the_article(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_TIMEOUT = 600
    article = factories.ArticleFactory(title="Ferry strike called off")
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() - timedelta(days=2))
    atom = reverse("syndication:feed_latest_atom")
    for url in (article.get_absolute_url(), atom):
        client.get(url)  # cached before the correction
    editor = Client()
    editor.force_login(factories.EditorFactory())
    before = timezone.now()
    earlier = timezone.localtime() - timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        admin_change(
            editor,
            article,
            **{
                "corrections-TOTAL_FORMS": "1",
                "corrections-0-kind": "correction",
                "corrections-0-text": "An earlier version named the wrong operator.",
                # The date is not the editor's to choose: followers' updates go by it.
                "corrections-0-published_at_0": earlier.strftime("%Y-%m-%d"),
                "corrections-0-published_at_1": earlier.strftime("%H:%M:%S"),
            },
        )
    (correction,) = Correction.objects.filter(article=article)
    assert correction.published_at >= before
    article.refresh_from_db()
    assert article.updated_at >= before
    page = client.get(article.get_absolute_url()).content.decode()
    assert "named the wrong operator" in page
    assert f'content="{timezone.localtime(article.updated_at).isoformat()}"' in page
    feed = client.get(atom).content.decode()
    assert f"<updated>{timezone.localtime(article.updated_at).isoformat()}</updated>" in feed


def test_a_correction_needs_an_editor_and_its_text(reader, editor):
    article = factories.ArticleFactory()
    with pytest.raises(PermissionDenied):
        publishing.correct(article=article, author=reader, text="Not mine to say.")
    with pytest.raises(ValueError, match="needs its text"):
        publishing.correct(article=article, author=editor, text="   ")
    with pytest.raises(ValueError, match="Not a kind"):
        publishing.correct(article=article, author=editor, text="Fine.", kind="retraction")
    assert not Correction.objects.exists()
    update = publishing.correct(
        article=article, author=editor, text="Adds the council's reply.", kind="update"
    )
    assert update.get_kind_display() == "Update"
