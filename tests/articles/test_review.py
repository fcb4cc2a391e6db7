"""REQUIRE_REVIEW: writers send articles for review; only those who may publish publish,
and they are recorded as the reviewer. Off by default: nothing changes."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Article
from tests.factories import EMPTY_ARTICLE_INLINES, ArticleFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")


@pytest.fixture
def writer(db):
    """Staff who may write and change articles but not publish them."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=["add_article", "change_article", "view_article"],
        )
    )
    return user


def _form(source, status):
    return {
        "title": "Tide tables for March",
        "slug": "tide-tables-march",
        "source": source.pk,
        "status": status,
        **EMPTY_ARTICLE_INLINES,
    }


def test_without_review_anyone_who_may_change_publishes(client, writer):
    client.force_login(writer)
    assert client.post(ADD_URL, _form(SourceFactory(), "published")).status_code == 302
    assert Article.objects.get().status == Article.Status.PUBLISHED


def test_with_review_a_writer_sends_for_review_but_cannot_publish(client, writer, settings):
    settings.REQUIRE_REVIEW = True
    source = SourceFactory()
    client.force_login(writer)
    refused = client.post(ADD_URL, _form(source, "published"))
    assert refused.status_code == 200
    assert "asks for a review before publishing" in str(refused.context["adminform"].form.errors)
    assert client.post(ADD_URL, _form(source, "review")).status_code == 302
    article = Article.objects.get()
    assert article.status == Article.Status.REVIEW and not article.is_visible
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    with pytest.raises(PermissionDenied):
        publishing.publish(article=article, author=writer, when=timezone.now())


def test_with_review_an_editor_publishes_and_is_recorded(client, editor, settings):
    settings.REQUIRE_REVIEW = True
    article = ArticleFactory(status=Article.Status.REVIEW, published_at=None)
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.is_visible and article.reviewed_by == editor


def _restore(client, article, revision):
    url = reverse("admin:articles_article_restore", args=[article.pk, revision.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, follow=True)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_restoring_a_published_version_sends_it_for_review_for_a_writer(
    client, writer, editor, settings
):
    # Issue 28: a writer restored an old published revision of a withdrawn article and
    # it was public again, review bypassed.
    settings.REQUIRE_REVIEW = True
    article = ArticleFactory(status=Article.Status.PUBLISHED)
    published = publishing.record(article=article, author=editor, changed_fields=["status"])
    article.status = Article.Status.WITHDRAWN
    article.save()
    client.force_login(writer)
    messages = _restore(client, article, published)
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW and not article.is_visible
    assert any("Ready for review" in m for m in messages)
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_an_editor_who_may_publish_restores_a_published_version_as_published(
    client, editor, settings
):
    settings.REQUIRE_REVIEW = True
    editor.user_permissions.add(Permission.objects.get(codename="publish_article"))
    article = ArticleFactory(status=Article.Status.PUBLISHED)
    published = publishing.record(article=article, author=editor, changed_fields=["status"])
    article.status = Article.Status.WITHDRAWN
    article.save()
    client.force_login(editor)
    _restore(client, article, published)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_restoring_a_slug_now_taken_keeps_the_current_one_and_says_so(client, editor):
    # Issue 28: the unique slug made this a 500.
    article = ArticleFactory(slug="quay-lights")
    old = publishing.record(article=article, author=editor, changed_fields=["slug"])
    article.slug, article.title = "quay-lights-2019", "Quay lights, 2019"
    article.save()
    ArticleFactory(slug="quay-lights")
    client.force_login(editor)
    messages = _restore(client, article, old)
    article.refresh_from_db()
    assert article.slug == "quay-lights-2019"
    assert article.title != "Quay lights, 2019"  # the rest of the version came back
    assert any("quay-lights" in m and "keeps" in m for m in messages)
