"""No cascade loses a reader's words: not through the ORM, not through the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.db.models import ProtectedError
from django.urls import reverse

from accounts.services import delete_account
from articles.models import Article
from comments import services
from comments.models import Comment, ModerationLog, Report
from tests.factories import ArticleFactory, CommentFactory, ConfirmedReaderFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def discussion(article, confirmed):
    """A thread: the confirmed reader's comment and another reader's reply to it."""
    top = CommentFactory(article=article, author=confirmed, body="The quay needs lights.")
    reply = CommentFactory(parent=top, body="Agreed, and a railing.")
    return top, reply


def test_orm_cannot_delete_an_article_with_comments(article, discussion):
    with pytest.raises(ProtectedError):
        article.delete()
    assert Comment.objects.filter(article=article).count() == 2


def test_orm_cannot_delete_a_reader_with_comments(confirmed, discussion):
    with pytest.raises(ProtectedError):
        confirmed.delete()


def test_orm_cannot_delete_a_comment_with_replies(discussion):
    top, reply = discussion
    with pytest.raises(ProtectedError):
        top.delete()
    assert Comment.objects.filter(pk=reply.pk).exists()


def test_account_deletion_keeps_comments_and_replies(client, article, confirmed, discussion):
    top, reply = discussion
    delete_account(user=confirmed)
    assert set(Comment.objects.values_list("pk", flat=True)) == {top.pk, reply.pk}
    page = client.get(article.get_absolute_url()).content.decode()
    assert "[deleted]" in page
    assert "The quay needs lights." in page and "Agreed, and a railing." in page


def test_moderation_log_outlives_the_comment_and_the_reader(article, moderator):
    reader = ConfirmedReaderFactory()
    comment = CommentFactory(article=article, author=reader, status="pending")
    services.comment_approve(comment=comment, moderator=moderator)
    services.ban_user(user=reader, moderator=moderator, until=None, reason="Spam links")
    comment_pk, reader_pk = comment.pk, reader.pk
    comment.delete()  # a leaf comment: nothing protects it
    reader.comment_bans.all().delete()
    reader.delete()
    entries = ModerationLog.objects.order_by("id")
    assert [e.action for e in entries] == ["approve", "ban"]
    assert all(e.comment_id is None and e.subject_id is None for e in entries)
    assert entries[0].about == f"comment {comment_pk} on article {article.pk} by reader {reader_pk}"
    assert entries[1].about == f"reader {reader_pk}"


def test_a_reported_comment_cannot_be_deleted(article, discussion):
    top, _ = discussion
    Report.objects.create(comment=top, reporter=ConfirmedReaderFactory(), reason="Rude")
    with pytest.raises(ProtectedError):
        top.delete()


def test_admin_article_delete_says_withdraw_instead(client, editor, article, discussion):
    client.force_login(editor)
    url = reverse("admin:articles_article_delete", args=[article.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_change", args=[article.pk])
    assert "cannot be deleted" in _messages(response) and "Withdrawn" in _messages(response)
    assert Article.objects.filter(pk=article.pk).exists()
    assert Comment.objects.filter(article=article).count() == 2


def test_admin_bulk_delete_refuses_articles_with_comments(client, editor, article, discussion):
    quiet = ArticleFactory()
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "delete_selected", "_selected_action": [article.pk, quiet.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert "Withdraw it instead" in _messages(response)
    assert Article.objects.filter(pk__in=[article.pk, quiet.pk]).count() == 2


def test_admin_still_deletes_an_article_nobody_commented_on(client, editor):
    quiet = ArticleFactory()
    client.force_login(editor)
    url = reverse("admin:articles_article_delete", args=[quiet.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=quiet.pk).exists()


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("chief", "chief@example.org", "a-Long-passw0rd!")


def test_user_admin_has_no_bulk_delete(client, superuser, confirmed, discussion):
    client.force_login(superuser)
    changelist = reverse("admin:accounts_user_changelist")
    page = client.get(changelist).content.decode()
    assert 'value="delete_selected"' not in page and 'value="erase_accounts"' in page
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [confirmed.pk], "post": "yes"}
    )
    assert User.objects.filter(pk=confirmed.pk, is_deleted=False).exists()


def test_user_admin_single_delete_says_what_to_do(client, superuser, confirmed, discussion):
    client.force_login(superuser)
    change = reverse("admin:accounts_user_change", args=[confirmed.pk])
    assert "deletelink" not in client.get(change).content.decode()
    response = client.post(
        reverse("admin:accounts_user_delete", args=[confirmed.pk]), {"post": "yes"}
    )
    assert response.status_code == 302 and response["Location"] == change
    assert "Delete selected accounts (erase personal data, keep comments)" in _messages(response)
    assert User.objects.filter(pk=confirmed.pk, is_deleted=False).exists()
