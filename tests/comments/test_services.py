"""Moderation decisions, the log, bans, reports, edits, removals and emails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from comments import services
from comments.models import Ban, Comment, ModerationLog, Reason, Report, Status
from comments.rules import CommentRefused
from tests.factories import CommentFactory, ConfirmedReaderFactory, ModeratorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(article, confirmed):
    return CommentFactory(article=article, author=confirmed, status=Status.PENDING)


def actions(comment):
    return list(
        ModerationLog.objects.filter(comment=comment)
        .order_by("created_at", "id")
        .values_list("action", "from_status", "to_status")
    )


def test_approve_logs_and_emails_the_author(pending, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.comment_approve(comment=pending, moderator=moderator, reason="Fair point")
    pending.refresh_from_db()
    assert pending.status == Status.APPROVED
    entry = ModerationLog.objects.get(comment=pending)
    assert (entry.action, entry.moderator, entry.reason) == ("approve", moderator, "Fair point")
    assert (entry.from_status, entry.to_status) == ("pending", "approved")
    assert callbacks and len(mail.outbox) == 1
    assert mail.outbox[0].to == [pending.author.email]
    assert "is published" in mail.outbox[0].subject


def test_email_is_sent_only_after_commit(pending, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.comment_reject(comment=pending, moderator=moderator, reason="Off topic")
    assert mail.outbox == [] and callbacks
    for callback in callbacks:
        callback()
    assert "Off topic" in mail.outbox[0].body


def test_author_can_turn_moderation_emails_off(
    pending, moderator, django_capture_on_commit_callbacks
):
    pending.author.notify_on_moderation = False  # the accounts app's preference
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=pending, moderator=moderator)
    assert mail.outbox == []


def test_spam_sends_no_email(pending, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_mark_spam(comment=pending, moderator=moderator, reason="Ads")
    pending.refresh_from_db()
    assert pending.status == Status.SPAM and mail.outbox == []


def test_reader_cannot_moderate(pending, confirmed, reader):
    for func in (
        services.comment_approve,
        services.comment_reject,
        services.comment_mark_spam,
        services.comment_restore,
    ):
        with pytest.raises(PermissionDenied):
            func(comment=pending, moderator=reader)
    with pytest.raises(PermissionDenied):
        services.ban_user(user=confirmed, moderator=reader, until=None, reason="no")
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert not Ban.objects.exists()


def test_editors_do_not_moderate(pending, editor):
    with pytest.raises(PermissionDenied):
        services.comment_approve(comment=pending, moderator=editor)


def test_decisions_can_apply_to_replies(article, moderator):
    top = CommentFactory(article=article, status=Status.PENDING)
    child = CommentFactory(article=article, parent=top, status=Status.PENDING)
    grandchild = CommentFactory(article=article, parent=child, status=Status.PENDING)
    removed = CommentFactory(article=article, parent=top, status=Status.REMOVED)
    other = CommentFactory(article=article, status=Status.PENDING)
    changed = services.comment_reject(
        comment=top, moderator=moderator, reason="Thread derailed", also_replies=True
    )
    assert {c.pk for c in changed} == {top.pk, child.pk, grandchild.pk}
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses[grandchild.pk] == Status.REJECTED
    assert statuses[removed.pk] == Status.REMOVED  # an author's removal stays theirs
    assert statuses[other.pk] == Status.PENDING
    assert ModerationLog.objects.filter(action="reject").count() == 3


def test_restore_undoes_the_last_decision(pending, moderator):
    services.comment_approve(comment=pending, moderator=moderator)
    services.comment_mark_spam(comment=pending, moderator=moderator, reason="Oops")
    services.comment_restore(comment=pending, moderator=moderator, reason="Was fine")
    pending.refresh_from_db()
    assert pending.status == Status.APPROVED
    assert actions(pending) == [
        ("approve", "pending", "approved"),
        ("spam", "approved", "spam"),
        ("restore", "spam", "approved"),
    ]


def test_nothing_is_hard_deleted(article, confirmed, moderator):
    comment = CommentFactory(article=article, author=confirmed)
    services.comment_reject(comment=comment, moderator=moderator)
    services.ban_user(user=confirmed, moderator=moderator, until=None, reason="Abuse")
    assert Comment.objects.filter(pk=comment.pk).exists()


# Bans ---------------------------------------------------------------------------------


def test_ban_refuses_posting_with_end_date_and_expires(article, regular, moderator):
    until = timezone.now() + timedelta(hours=1)
    ban = services.ban_user(user=regular, moderator=moderator, until=until, reason="Insults")
    with pytest.raises(CommentRefused) as info:
        services.post_comment(article=article, author=regular, body="Let me back in.")
    assert info.value.code == Reason.BANNED and info.value.http_status == 403
    assert f"until {until:%d %b %Y, %H:%M}" in info.value.message
    entry = ModerationLog.objects.get(action="ban")
    assert (entry.subject, entry.moderator, entry.reason) == (regular, moderator, "Insults")
    # Expiry is checked when the reader posts: no job needed.
    Ban.objects.filter(pk=ban.pk).update(until=timezone.now() - timedelta(seconds=1))
    assert services.post_comment(article=article, author=regular, body="Back again.").pk


def test_ban_for_good_and_lift(article, regular, moderator):
    ban = services.ban_user(user=regular, moderator=moderator, until=None, reason="Spam")
    with pytest.raises(CommentRefused) as info:
        services.post_comment(article=article, author=regular, body="Hello.")
    assert "no longer comment" in info.value.message
    services.lift_ban(ban=ban, moderator=moderator, reason="Appeal accepted")
    ban.refresh_from_db()
    assert ban.lifted_at is not None and not ban.is_active
    assert ModerationLog.objects.filter(action="lift_ban", subject=regular).exists()
    assert services.post_comment(article=article, author=regular, body="Hello.").pk


def test_ban_can_reject_pending_comments(article, confirmed, moderator):
    held = CommentFactory.create_batch(2, author=confirmed, status=Status.PENDING)
    kept = CommentFactory(author=confirmed, status=Status.APPROVED)
    services.ban_user(
        user=confirmed, moderator=moderator, until=None, reason="Spam run", reject_pending=True
    )
    assert {c.status for c in Comment.objects.filter(pk__in=[c.pk for c in held])} == {
        Status.REJECTED
    }
    kept.refresh_from_db()
    assert kept.status == Status.APPROVED


# Reports ------------------------------------------------------------------------------


def test_reports_reach_the_threshold(
    article, moderator, settings, django_capture_on_commit_callbacks
):
    settings.COMMENTS_REPORT_THRESHOLD = 3
    ModeratorFactory()  # a second moderator: still one email
    comment = CommentFactory(article=article, status=Status.APPROVED)
    reporters = ConfirmedReaderFactory.create_batch(4)
    with django_capture_on_commit_callbacks(execute=True):
        for reporter in reporters[:2]:
            services.report_comment(comment=comment, reporter=reporter, category="abuse")
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.report_comment(
            comment=comment, reporter=reporters[2], category="abuse", note="Insulting"
        )
    comment.refresh_from_db()
    assert (comment.status, comment.hold_reason) == (Status.PENDING, Reason.REPORTED)
    assert comment.report_count == 3
    assert len(mail.outbox) == 1
    assert len(mail.outbox[0].bcc) == 2 and "3 reports" in mail.outbox[0].body
    assert actions(comment)[-1] == ("reported", "approved", "pending")
    # A pending comment cannot be reported further.
    with pytest.raises(CommentRefused):
        services.report_comment(comment=comment, reporter=reporters[3], category="other")


def test_report_once_per_reader(article, confirmed):
    comment = CommentFactory(article=article)
    services.report_comment(comment=comment, reporter=confirmed, category="spam")
    with pytest.raises(CommentRefused) as info:
        services.report_comment(comment=comment, reporter=confirmed, category="spam")
    assert info.value.code == "already_reported"
    assert Report.objects.count() == 1
    comment.refresh_from_db()
    assert comment.report_count == 1


def test_cannot_report_own_comment(article, confirmed):
    comment = CommentFactory(article=article, author=confirmed)
    with pytest.raises(CommentRefused):
        services.report_comment(comment=comment, reporter=confirmed, category="other")


# Replies ------------------------------------------------------------------------------


def test_reply_emails_the_parent_author_once(
    article, trusted, moderator, django_capture_on_commit_callbacks
):
    parent = CommentFactory(article=article)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.post_comment(
            article=article, author=trusted, body="I disagree, politely.", parent=parent
        )
    assert reply.status == Status.APPROVED
    assert [m.to for m in mail.outbox] == [[parent.author.email]]
    assert "I disagree, politely." in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_reject(comment=reply, moderator=moderator)
        services.comment_approve(comment=reply, moderator=moderator)
    # Approve and reject emails to the reply's author; no second reply email.
    assert [m.to for m in mail.outbox[1:]] == [[trusted.email], [trusted.email]]


def test_reply_email_waits_for_approval(
    article, confirmed, moderator, django_capture_on_commit_callbacks
):
    parent = CommentFactory(article=article)
    parent.author.notify_on_reply = True
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.post_comment(
            article=article, author=confirmed, body="A reply.", parent=parent
        )
    assert reply.status == Status.PENDING and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=reply, moderator=moderator)
    assert {m.to[0] for m in mail.outbox} == {parent.author.email, confirmed.email}


# Edit and remove ----------------------------------------------------------------------


def test_edit_within_window(article, trusted):
    comment = services.post_comment(article=article, author=trusted, body="Frist!")
    services.edit_comment(comment=comment, author=trusted, body="First!")
    comment.refresh_from_db()
    assert comment.body == "First!" and comment.edited_at and comment.status == Status.APPROVED


def test_edit_that_trips_a_rule_goes_back_to_pending(article, regular, settings):
    settings.COMMENTS_PREMODERATE = False
    comment = services.post_comment(article=article, author=regular, body="Plain words.")
    assert comment.status == Status.APPROVED
    services.edit_comment(
        comment=comment, author=regular, body="Now https://a.example and https://b.example"
    )
    comment.refresh_from_db()
    assert (comment.status, comment.hold_reason) == (Status.PENDING, Reason.LINKS)
    assert actions(comment)[-1] == ("edited", "approved", "pending")


def test_edit_window_closes(article, regular, settings):
    comment = CommentFactory(
        article=article,
        author=regular,
        created_at=timezone.now() - timedelta(minutes=settings.COMMENTS_EDIT_MINUTES + 1),
    )
    with pytest.raises(CommentRefused) as info:
        services.edit_comment(comment=comment, author=regular, body="Too late.")
    assert info.value.code == "edit_window"


def test_only_the_author_edits_or_removes(article, regular, confirmed):
    comment = CommentFactory(article=article, author=regular)
    with pytest.raises(PermissionDenied):
        services.edit_comment(comment=comment, author=confirmed, body="Hijack")
    with pytest.raises(PermissionDenied):
        services.remove_comment(comment=comment, author=confirmed)


def test_remove_keeps_the_row_and_logs(article, regular):
    comment = CommentFactory(article=article, author=regular)
    services.remove_comment(comment=comment, author=regular)
    comment.refresh_from_db()
    assert comment.status == Status.REMOVED and comment.body
    entry = ModerationLog.objects.get(comment=comment)
    assert entry.action == "remove" and entry.actor == "author"


def test_which_decisions_make_cached_pages_stale(article, confirmed, moderator):
    """Each decision that changes what readers see bumps the list of the article's
    comments (serving/dependencies.py derives it from Comment's declaration)."""
    from serving import tags

    def version():
        tag = f"list:comment:article={article.pk}"
        return tags.versions([tag])[tag]

    def stales(write) -> bool:
        before = version()
        write()
        return version() != before

    comment = services.post_comment(article=article, author=confirmed, body="Held first.")
    held = CommentFactory(article=article, status=Status.PENDING)
    # posted as pending: no; approved: yes; removed (a placeholder readers see): yes;
    # bans change no comment: no.
    assert stales(lambda: services.comment_approve(comment=comment, moderator=moderator))
    assert stales(lambda: services.remove_comment(comment=comment, author=confirmed))
    assert not stales(
        lambda: services.ban_user(user=confirmed, moderator=moderator, until=None, reason="x")
    )
    assert not stales(lambda: services.comment_reject(comment=held, moderator=moderator))


@pytest.mark.parametrize("target_factory", ["EditorFactory", "ModeratorFactory"])
def test_a_moderator_cannot_ban_staff(moderator, target_factory):
    """Decided in docs/security.md: moderators ban readers, not colleagues."""
    from tests import factories

    target = getattr(factories, target_factory)()
    with pytest.raises(PermissionDenied):
        services.ban_user(user=target, moderator=moderator, until=None, reason="Dispute")
    assert not Ban.objects.exists()


def test_a_superuser_may_ban_a_staff_account(moderator):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    ban = services.ban_user(user=moderator, moderator=admin, until=None, reason="Left the team")
    assert ban.user == moderator


def test_the_ban_page_says_why_a_moderator_cannot_ban_an_editor(client, moderator, editor):
    from django.urls import reverse

    client.force_login(moderator)
    response = client.post(
        reverse("comments:ban", args=[editor.pk]), {"duration": "1d", "reason": "Dispute"}
    )
    assert response.status_code == 400
    assert "ask an administrator" in response.content.decode()
