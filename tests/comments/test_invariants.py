"""A comment's thread, depth and article hold whatever path wrote it: the service, the
plain ORM, bulk_create, a queryset update; and cached pages follow the comment row."""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from comments.models import Comment, Status
from tests.factories import ArticleFactory, ConfirmedReaderFactory

pytestmark = pytest.mark.django_db


def _comment(article, author, body="A remark on the quay works.", **kwargs) -> Comment:
    return Comment(article=article, author=author, body=body, fingerprint=body[:64], **kwargs)


def test_orm_top_level_comment_is_its_own_thread_and_shows_on_the_page(article, confirmed):
    comment = Comment.objects.create(
        article=article, author=confirmed, body="Made in a shell.", status=Status.APPROVED
    )
    comment.refresh_from_db()
    assert (comment.thread_id, comment.depth) == (comment.pk, 0)
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Comments (1)" in page and "Made in a shell." in page


def test_orm_reply_takes_depth_thread_and_article_from_its_parent(article, confirmed):
    top = Comment.objects.create(article=article, author=confirmed, body="Top")
    second = Comment.objects.create(parent=top, author=confirmed, body="Second")
    third = Comment.objects.create(parent=second, author=confirmed, body="Third")
    fourth = Comment.objects.create(parent=third, author=confirmed, body="Fourth")
    assert [c.depth for c in (top, second, third)] == [0, 1, 2]
    assert {c.thread_id for c in (top, second, third, fourth)} == {top.pk}
    assert second.article_id == article.pk
    # A reply to the third level joins the third level.
    fourth.refresh_from_db()
    assert (fourth.parent_id, fourth.depth) == (second.pk, 2)


def test_reply_on_another_article_than_its_parent_is_refused(article, confirmed):
    top = Comment.objects.create(article=article, author=confirmed, body="Top")
    elsewhere = ArticleFactory()
    reply = _comment(elsewhere, confirmed, parent=top)
    with pytest.raises(ValidationError, match="parent's article"):
        reply.full_clean()
    with pytest.raises(ValidationError):
        reply.save()
    assert not Comment.objects.filter(article=elsewhere).exists()


def test_moving_a_reply_to_another_parent_moves_its_thread(article, confirmed):
    first = Comment.objects.create(article=article, author=confirmed, body="First")
    second = Comment.objects.create(article=article, author=confirmed, body="Second")
    reply = Comment.objects.create(parent=first, author=confirmed, body="Reply")
    reply.parent = second
    reply.save(update_fields=["parent"])
    reply.refresh_from_db()
    assert (reply.thread_id, reply.depth) == (second.pk, 1)


def test_bulk_create_derives_threads_for_roots_and_replies(article, confirmed):
    roots = Comment.objects.bulk_create(
        [_comment(article, confirmed, f"Root {n}", status=Status.APPROVED) for n in range(3)]
    )
    deep = Comment.objects.create(parent=roots[0], author=confirmed, body="Level two")
    deeper = Comment.objects.create(parent=deep, author=confirmed, body="Level three")
    replies = Comment.objects.bulk_create(
        [
            _comment(article, confirmed, "Reply to a root", parent=roots[1]),
            Comment(author=confirmed, body="Too deep", fingerprint="x", parent=deeper),
        ]
    )
    rows = {c.pk: c for c in Comment.objects.all()}
    assert all(rows[r.pk].thread_id == r.pk for r in roots)
    assert (rows[replies[0].pk].thread_id, rows[replies[0].pk].depth) == (roots[1].pk, 1)
    assert rows[replies[1].pk].parent_id == deep.pk and rows[replies[1].pk].depth == 2
    assert rows[replies[1].pk].article_id == article.pk
    page = Client().get(article.get_absolute_url()).content.decode()
    assert all(f"Root {n}" in page for n in range(3))


def test_bulk_create_with_ignore_conflicts_still_mends_the_roots(article, confirmed):
    Comment.objects.bulk_create([_comment(article, confirmed, "Quiet")], ignore_conflicts=True)
    comment = Comment.objects.get(body="Quiet")
    assert comment.thread_id == comment.pk


def test_queryset_update_cannot_set_thread_fields(article, confirmed):
    top = Comment.objects.create(article=article, author=confirmed, body="Top")
    for field in ("parent", "thread", "depth", "article"):
        with pytest.raises(TypeError, match="derived from the parent"):
            Comment.objects.filter(pk=top.pk).update(**{field: None})


@pytest.mark.parametrize(
    ("which", "change"),
    [("reply", {"depth": 3}), ("top", {"depth": 1}), ("reply", {"thread": None})],
    ids=["too-deep", "root-with-depth", "reply-without-thread"],
)
def test_database_refuses_a_broken_thread_shape(article, confirmed, which, change):
    top = Comment.objects.create(article=article, author=confirmed, body="Top")
    reply = Comment.objects.create(parent=top, author=confirmed, body="Reply")
    target = {"top": top, "reply": reply}[which]
    with pytest.raises(IntegrityError), transaction.atomic():
        # The base manager skips the queryset's own refusal: this is the database's.
        Comment._base_manager.filter(pk=target.pk).update(**change)


def test_database_refuses_a_comment_replying_to_itself(article, confirmed):
    top = Comment.objects.create(article=article, author=confirmed, body="Top")
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment._base_manager.filter(pk=top.pk).update(parent=top.pk, depth=1)


@pytest.fixture(autouse=True)
def _pages_kept(settings):
    # Without Redis pages live one second: long enough on a quiet machine only.
    settings.PAGE_CACHE_TIMEOUT = 600


def _cached_page(article) -> Client:
    anonymous = Client()
    anonymous.get(article.get_absolute_url())
    assert anonymous.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    return anonymous


def test_status_changed_by_queryset_update_refreshes_cached_pages(article, confirmed):
    comment = Comment.objects.create(article=article, author=confirmed, body="Waiting here.")
    anonymous = _cached_page(article)
    assert "Waiting here." not in anonymous.get(article.get_absolute_url()).content.decode()
    Comment.objects.filter(pk=comment.pk).update(status=Status.APPROVED)
    fresh = anonymous.get(article.get_absolute_url())
    assert fresh["X-Page-Cache"] == "miss" and "Waiting here." in fresh.content.decode()


def test_status_changed_by_plain_save_refreshes_cached_pages(article, confirmed):
    comment = Comment.objects.create(
        article=article, author=confirmed, body="Soon gone.", status=Status.APPROVED
    )
    anonymous = _cached_page(article)
    comment = Comment.objects.get(pk=comment.pk)
    comment.status = Status.SPAM
    comment.save()
    assert "Soon gone." not in anonymous.get(article.get_absolute_url()).content.decode()


def test_bulk_created_comments_refresh_cached_pages(article, confirmed):
    anonymous = _cached_page(article)
    Comment.objects.bulk_create([_comment(article, confirmed, "Imported", status="approved")])
    assert "Imported" in anonymous.get(article.get_absolute_url()).content.decode()


def test_bookkeeping_writes_keep_cached_pages(article, confirmed):
    comment = Comment.objects.create(
        article=article, author=confirmed, body="Popular.", status=Status.APPROVED
    )
    anonymous = _cached_page(article)
    Comment.objects.filter(pk=comment.pk).update(reply_notified=True)
    comment.report_count = 1
    comment.save(update_fields=["report_count"])
    assert anonymous.get(article.get_absolute_url())["X-Page-Cache"] == "hit"


def test_held_comment_saved_again_keeps_cached_pages(article):
    reader = ConfirmedReaderFactory()
    comment = Comment.objects.create(article=article, author=reader, body="Held.")
    anonymous = _cached_page(article)
    comment = Comment.objects.get(pk=comment.pk)
    comment.body = "Held, and edited."
    comment.save()
    assert anonymous.get(article.get_absolute_url())["X-Page-Cache"] == "hit"


def test_migration_mends_threads_written_before_it(article, confirmed):
    from django.apps import apps

    mend = importlib.import_module(
        "comments.migrations.0004_comment_invariants_and_protect"
    ).mend_threads
    first = Comment.objects.create(article=article, author=confirmed, body="First")
    second = Comment.objects.create(article=article, author=confirmed, body="Second")
    reply = Comment.objects.create(parent=first, author=confirmed, body="Reply")
    Comment._base_manager.filter(pk=reply.pk).update(thread=second.pk)  # a hand-made row
    mend(apps, None)
    reply.refresh_from_db()
    assert (reply.thread_id, reply.depth) == (first.pk, 1)
