"""Derived data only: readers' records, and pages that print a commenter's name.

Pages showing comments follow the comment rows themselves: `Comment` declares which of its
fields lists filter by and which are bookkeeping (its `CacheTags`), and every write path
(save, delete, `update()`, `bulk_create()`) bumps what it changes (serving/dependencies.py).
What remains here is what no comment row says:

- a reader's record (comments.permissions.reader_record: confirmed addresses, bans, the
  articles they commented on) follows their tag `reader:<id>`: a new comment of theirs,
  a comment moved to or from them, a ban saved, changed or deleted and an address saved
  or deleted bump it (`records_changed()`), whatever the write path;
- a commenter's new name or picture shows on every page listing their comments.
"""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from serving.dependencies import instance_tag, list_tag
from serving.tags import bump_tags

from .models import Ban, Comment, readers_changed
from .permissions import reader_tag

PUBLIC = set(Comment.CacheTags.listed_when[1])


def records_changed(user_ids: Iterable[int | None]) -> None:
    """These readers' records are stale (only their own signed-in pages read them: no
    HTTP cache holds one)."""
    bump_tags({reader_tag(pk) for pk in user_ids if pk}, http=False)


def comment_deleted(sender, instance: Comment, **kwargs):
    records_changed([instance.author_id])


def reader_row_changed(sender, instance, raw: bool = False, **kwargs):
    """A ban or an email address (post_save, post_delete): its reader's record."""
    if not raw:
        records_changed([instance.user_id])


def readers_rows_changed(sender, user_ids: Iterable[int], **kwargs):
    records_changed(user_ids)


# What a comment shows of its author on cached pages.
AUTHOR_FIELDS = {"display_name", "first_name", "last_name", "avatar", "is_deleted"}


def author_saved(sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs):
    """A new name, picture or a deleted account shows wherever their comments are: the
    lists of comments of those articles, and each comment's card (kept under the
    comment's own tag, comments_tags.cached_cards; the user model is not ours to
    declare)."""
    if raw or created:
        return
    if update_fields is not None and not AUTHOR_FIELDS & set(update_fields):
        return  # e.g. last_login on each sign-in
    shown = Comment.objects.filter(author=instance, status__in=PUBLIC).values_list(
        "pk", "article_id"
    )
    tags = set()
    for pk, article_id in shown.order_by():
        tags |= {instance_tag(Comment, pk), list_tag(Comment, "article", article_id)}
    bump_tags(tags)


def email_confirmed(sender, request, email_address, **kwargs):
    """A reader confirmed an address that imported comments were written under."""
    from .importing.authors import claim

    claim(user=email_address.user, email=email_address.email)


def connect() -> None:
    from allauth.account.signals import email_confirmed as allauth_email_confirmed

    allauth_email_confirmed.connect(email_confirmed, dispatch_uid="comments-claim-imported")
    post_delete.connect(comment_deleted, sender=Comment, dispatch_uid="comments-records-delete")
    readers_changed.connect(readers_rows_changed, dispatch_uid="comments-readers-rows")
    for model in (Ban, EmailAddress):
        uid = f"comments-reader-{model._meta.label_lower}"
        post_save.connect(reader_row_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(reader_row_changed, sender=model, dispatch_uid=f"{uid}-delete")
    post_save.connect(author_saved, sender=get_user_model(), dispatch_uid="comments-authors")
