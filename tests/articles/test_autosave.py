"""Autosave: the article form's text kept per editor, offered back, gone after a save."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Autosave
from tests.factories import EMPTY_ARTICLE_INLINES, ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:articles_article_autosave")
ADD_URL = reverse("admin:articles_article_add")


def test_new_article_text_is_kept_and_offered_back(client, editor):
    client.force_login(editor)
    response = client.post(URL, {"title": "Half-written headline", "body": "<p>Draft</p>"})
    assert response.status_code == 200 and "Autosaved at" in response.json()["label"]
    kept = Autosave.objects.get(user=editor, article=None)
    assert kept.data == {"title": "Half-written headline", "body": "<p>Draft</p>"}
    page = client.get(ADD_URL).content.decode()
    assert "that was not saved" in page and "?autosave=restore" in page
    page = client.get(ADD_URL + "?autosave=restore").content.decode()
    assert 'value="Half-written headline"' in page and "is back in the form" in page


def test_existing_article_autosave_restores_into_the_form_without_saving(client, editor):
    article = ArticleFactory(title="Published headline")
    client.force_login(editor)
    client.post(URL, {"title": "Edited headline", "_preview_of": article.pk})
    change = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(change + "?autosave=restore").content.decode()
    assert 'value="Edited headline"' in page
    article.refresh_from_db()
    assert article.title == "Published headline"


def test_autosave_older_than_the_article_is_not_offered(client, editor):
    article = ArticleFactory()
    Autosave.objects.create(
        user=editor,
        article=article,
        data={"title": "stale"},
        saved_at=timezone.now() - timezone.timedelta(days=1),
    )
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "that was not saved" not in page.content.decode()


def test_saving_the_article_deletes_the_autosave(client, editor):
    source = SourceFactory()
    client.force_login(editor)
    client.post(URL, {"title": "Draft"})
    response = client.post(
        ADD_URL,
        {
            "title": "Saved for real",
            "slug": "saved-for-real",
            "source": source.pk,
            "status": "draft",
            **EMPTY_ARTICLE_INLINES,
        },
    )
    assert response.status_code == 302
    assert not Autosave.objects.exists()


def test_discard_removes_it_and_goes_back(client, editor):
    client.force_login(editor)
    client.post(URL, {"title": "Draft"})
    response = client.post(URL, {"_discard": "1", "next": ADD_URL})
    assert response.status_code == 302 and response["Location"] == ADD_URL
    assert not Autosave.objects.exists()
    response = client.post(URL, {"_discard": "1", "next": "https://evil.example.org/"})
    assert response.status_code == 200  # never an open redirect


def test_autosave_checks_permission_and_csrf(client, moderator, editor):
    article = ArticleFactory()
    client.force_login(moderator)
    assert client.post(URL, {"title": "x", "_preview_of": article.pk}).status_code == 403
    assert client.post(URL, {"title": "x"}).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(URL, {"title": "x"}).status_code == 403
    assert client.get(URL).status_code == 405
    assert not Autosave.objects.exists()


def test_each_editor_has_their_own(client, editor):
    from tests.factories import EditorFactory

    other = EditorFactory()
    article = ArticleFactory()
    for user, title in ((editor, "Mine"), (other, "Theirs")):
        client.force_login(user)
        client.post(URL, {"title": title, "_preview_of": article.pk})
    assert Autosave.objects.get(user=editor).data["title"] == "Mine"
    assert Autosave.objects.count() == 2
