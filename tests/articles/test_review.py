"""REQUIRE_REVIEW: writers send articles for review; only those who may publish publish,
and they are recorded as the reviewer. Off by default: nothing changes."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Article
from tests.factories import ArticleFactory, SourceFactory, UserFactory

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
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
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
