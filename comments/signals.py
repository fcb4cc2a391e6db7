"""Derived data only: stale cached pages when a comment readers can see changes.

The comment row itself is the source of truth: a saved comment (post_save, whatever
wrote it: a service, the admin, the shell), a queryset `update()` or `bulk_create()`
(`comments.models.comments_changed`) and a deleted one all reach `pages_changed()`.
Readers see approved comments and "removed" placeholders; a change into or out of those
states, or of what such a comment shows, bumps `comments:<article id>`: that article's
page and thread, and the lists whose cards print its comment count, nothing else
(serving.cache.bump_tags).

A reader's record (comments.permissions.reader_record: confirmed addresses, bans, the
articles they commented on) follows their tag `reader:<id>`: a new comment of theirs,
a comment moved to or from them, a ban saved, changed or deleted and an address saved or
deleted bump it (`readers_changed()`), whatever the write path.
"""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from serving.cache import bump_tags

from .models import SHOWN_FIELDS, Ban, Comment, Status, comments_changed, readers_changed
from .permissions import reader_tag

PUBLIC = {Status.APPROVED, Status.REMOVED}
_UNKNOWN = object()


def pages_changed(article_ids: Iterable[int]) -> None:
    """The one call into the page cache: pages showing these articles' comments are stale
    (at once, again after commit, then purged from HTTP caches: serving.cache.bump_tags)."""
    bump_tags({f"comments:{pk}" for pk in article_ids})


def records_changed(user_ids: Iterable[int | None]) -> None:
    """These readers' records are stale (only their own signed-in pages read them: no
    HTTP cache holds one)."""
    bump_tags({reader_tag(pk) for pk in user_ids if pk}, http=False)


def changes_public_pages(comment: Comment, *, created: bool, update_fields=None) -> bool:
    """True when this save moved a comment into or out of what readers see, or changed
    what a visible comment shows."""
    if update_fields is not None and not SHOWN_FIELDS & set(update_fields):
        return False  # e.g. report_count, reply_notified
    before = None if created else getattr(comment, "_loaded_status", _UNKNOWN)
    if before is _UNKNOWN:
        return True  # an instance not read from the database: assume the worst
    return before in PUBLIC or comment.status in PUBLIC


def comment_saved(sender, instance: Comment, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    if changes_public_pages(instance, created=created, update_fields=kwargs.get("update_fields")):
        pages_changed([instance.article_id])
    instance._loaded_status = instance.status
    before = None if created else getattr(instance, "_loaded_author_id", _UNKNOWN)
    if before != instance.author_id:  # new, moved, or not read from the database
        records_changed([instance.author_id, None if before is _UNKNOWN else before])
    instance._loaded_author_id = instance.author_id


def comment_deleted(sender, instance: Comment, **kwargs):
    if instance.status in PUBLIC:
        pages_changed([instance.article_id])
    records_changed([instance.author_id])


def reader_row_changed(sender, instance, raw: bool = False, **kwargs):
    """A ban or an email address (post_save, post_delete): its reader's record."""
    if not raw:
        records_changed([instance.user_id])


def readers_rows_changed(sender, user_ids: Iterable[int], **kwargs):
    records_changed(user_ids)


def comments_rows_changed(sender, article_ids: Iterable[int], **kwargs):
    pages_changed(article_ids)


# What a comment shows of its author on cached pages.
AUTHOR_FIELDS = {"display_name", "first_name", "last_name", "avatar", "is_deleted"}


def author_saved(sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs):
    """A new name, picture or a deleted account shows wherever their comments are."""
    if raw or created:
        return
    if update_fields is not None and not AUTHOR_FIELDS & set(update_fields):
        return  # e.g. last_login on each sign-in
    articles = (
        Comment.objects.filter(author=instance, status__in=PUBLIC)
        .values_list("article_id", flat=True)
        .order_by()
        .distinct()
    )
    pages_changed(articles)


def email_confirmed(sender, request, email_address, **kwargs):
    """A reader confirmed an address that imported comments were written under."""
    from .importing.authors import claim

    claim(user=email_address.user, email=email_address.email)


def connect() -> None:
    from allauth.account.signals import email_confirmed as allauth_email_confirmed

    allauth_email_confirmed.connect(email_confirmed, dispatch_uid="comments-claim-imported")
    post_save.connect(comment_saved, sender=Comment, dispatch_uid="comments-pages")
    post_delete.connect(comment_deleted, sender=Comment, dispatch_uid="comments-pages-delete")
    comments_changed.connect(comments_rows_changed, dispatch_uid="comments-pages-rows")
    readers_changed.connect(readers_rows_changed, dispatch_uid="comments-readers-rows")
    for model in (Ban, EmailAddress):
        uid = f"comments-reader-{model._meta.label_lower}"
        post_save.connect(reader_row_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(reader_row_changed, sender=model, dispatch_uid=f"{uid}-delete")
    post_save.connect(author_saved, sender=get_user_model(), dispatch_uid="comments-authors")
