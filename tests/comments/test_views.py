"""Posting, editing, removing and reporting through the views; the security promises."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Ban, Comment, ModerationLog, Report, Status
from tests.factories import CommentFactory, ConfirmedReaderFactory

pytestmark = pytest.mark.django_db


def post_url(article):
    return reverse("comments:post", kwargs={"slug": article.slug})


@pytest.fixture
def as_reader(client, confirmed):
    client.force_login(confirmed)
    return client


def test_post_then_see_own_pending_comment(as_reader, article, confirmed):
    response = as_reader.post(post_url(article), {"body": "When does the new timetable start?"})
    comment = Comment.objects.get(author=confirmed)
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert comment.ip_address == "127.0.0.1"
    page = as_reader.get(article.get_absolute_url()).content.decode()
    assert "When does the new timetable start?" in page
    assert "Awaiting moderation" in page
    assert "Comments (0)" in page  # the heading counts approved comments only


def test_nobody_else_sees_a_pending_comment(client, article, regular):
    CommentFactory(article=article, status=Status.PENDING, body="Secret pending words")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Secret pending words" not in page and "No comments yet..." in page
    client.force_login(regular)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Secret pending words" not in page and "Awaiting moderation" not in page


def test_refused_comment_keeps_the_text_and_says_why(as_reader, article, settings):
    settings.COMMENTS_MAX_LENGTH = 20
    text = "This is far too long & <b>keeps</b> its text"
    response = as_reader.post(post_url(article), {"body": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your comment is too long" in page
    assert "This is far too long &amp; &lt;b&gt;keeps&lt;/b&gt; its text</textarea>" in page
    assert not Comment.objects.exists()


def test_flood_answers_429_with_a_readable_message(as_reader, article):
    assert as_reader.post(post_url(article), {"body": "First quick thought."}).status_code == 302
    response = as_reader.post(post_url(article), {"body": "Second quick thought."})
    assert response.status_code == 429
    assert response["Retry-After"] == "15"
    page = response.content.decode()
    assert "You are commenting too fast" in page and "Second quick thought." in page
    assert Comment.objects.count() == 1


def test_flood_limit_holds_across_clients(article, confirmed):
    # The limit lives in the shared cache, not in a process: a second session is limited.
    first, second = Client(), Client()
    first.force_login(confirmed)
    second.force_login(confirmed)
    assert first.post(post_url(article), {"body": "One."}).status_code == 302
    assert second.post(post_url(article), {"body": "Two."}).status_code == 429


def test_banned_reader_sees_the_end_date(as_reader, article, confirmed, moderator):
    until = timezone.now() + timedelta(days=1)
    Ban.objects.create(user=confirmed, until=until, reason="Rude", moderator=moderator)
    page = as_reader.get(article.get_absolute_url()).content.decode()
    assert f"You cannot comment until {until:%d %b %Y, %H:%M}" in page
    assert 'id="comment-form"' not in page
    response = as_reader.post(post_url(article), {"body": "Let me in."})
    assert response.status_code == 403 and "You cannot comment until" in response.content.decode()


def test_banned_reader_reads_why_and_what_they_may_still_do(
    as_reader, article, confirmed, moderator
):
    own = CommentFactory(article=article, author=confirmed, status=Status.APPROVED)
    other = CommentFactory(article=article, status=Status.APPROVED)
    Ban.objects.create(user=confirmed, reason="Repeated insults.", moderator=moderator)
    page = as_reader.get(article.get_absolute_url()).content.decode()
    assert "Reason: Repeated insults." in page and "insults.." not in page
    assert "remove your own comments" in page
    assert reverse("comments:edit", args=[own.pk]) not in page
    assert reverse("comments:remove", args=[own.pk]) in page
    edit = as_reader.post(reverse("comments:edit", args=[own.pk]), {"body": "Changed words"})
    assert edit.status_code == 403
    field = f"r{other.pk}-category"
    report = as_reader.post(reverse("comments:report", args=[other.pk]), {field: "spam"})
    assert report.status_code == 403 and "Banned readers cannot report" in report.content.decode()
    assert as_reader.post(reverse("comments:remove", args=[own.pk])).status_code == 302
    assert Comment.objects.get(pk=own.pk).status == Status.REMOVED


def test_ban_page_prints_one_full_stop(client, confirmed, moderator):
    Ban.objects.create(user=confirmed, reason="(UX test).", moderator=moderator)
    client.force_login(moderator)
    page = client.get(reverse("comments:ban", args=[confirmed.pk])).content.decode()
    assert "Reason: (UX test)." in page and "(UX test).." not in page


def test_unconfirmed_reader_is_asked_to_confirm(client, article, reader):
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Confirm your email address to comment" in page and "comment-form" not in page
    assert client.post(post_url(article), {"body": "Hi there."}).status_code == 403
    assert not Comment.objects.exists()


def test_anonymous_post_goes_to_login(client, article):
    response = client.post(post_url(article), {"body": "Hello."})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not Comment.objects.exists()


def test_post_needs_csrf(article, confirmed):
    client = Client(enforce_csrf_checks=True)
    client.force_login(confirmed)
    assert client.post(post_url(article), {"body": "No token."}).status_code == 403
    assert not Comment.objects.exists()
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_get_on_post_url_is_405(as_reader, article):
    assert as_reader.get(post_url(article)).status_code == 405


def test_post_on_draft_or_unknown_article_is_404(as_reader, article):
    article.status = "draft"
    article.save()
    assert as_reader.post(post_url(article), {"body": "Psst."}).status_code == 404
    url = reverse("comments:post", kwargs={"slug": "no-such-article"})
    assert as_reader.post(url, {"body": "Psst."}).status_code == 404


def test_reply_through_the_reply_page(as_reader, article, confirmed):
    parent = CommentFactory(article=article, body="Original point")
    page = as_reader.get(article.get_absolute_url()).content.decode()
    reply_url = reverse("comments:reply", args=[parent.pk])
    assert f'href="{reply_url}"' in page
    response = as_reader.get(reply_url)
    assert response.status_code == 200 and "Original point" in response.content.decode()
    response = as_reader.post(post_url(article), {"body": "A reply", "parent": parent.pk})
    assert response.status_code == 302
    assert Comment.objects.get(author=confirmed).parent == parent


def test_refused_reply_keeps_text_on_the_reply_page(as_reader, article):
    parent = CommentFactory(article=article)
    response = as_reader.post(post_url(article), {"body": "x", "parent": parent.pk})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Reply to a comment" in page and "too short" in page and ">x</textarea>" in page


def test_reply_to_pending_or_garbage_parent(as_reader, article):
    pending = CommentFactory(article=article, status=Status.PENDING)
    assert as_reader.get(reverse("comments:reply", args=[pending.pk])).status_code == 404
    assert (
        as_reader.post(post_url(article), {"body": "Hi", "parent": pending.pk}).status_code == 404
    )
    assert (
        as_reader.post(post_url(article), {"body": "Hi there", "parent": "abc"}).status_code == 404
    )
    elsewhere = CommentFactory()  # on another article
    response = as_reader.post(post_url(article), {"body": "Hi there", "parent": elsewhere.pk})
    assert response.status_code == 404
    assert not Comment.objects.filter(body="Hi there").exists()


def test_edit_own_comment(as_reader, article, confirmed):
    comment = CommentFactory(article=article, author=confirmed, status=Status.PENDING)
    url = reverse("comments:edit", args=[comment.pk])
    assert as_reader.get(url).status_code == 200
    response = as_reader.post(url, {"body": "Edited words."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Edited words."


def test_edit_after_window_is_refused(as_reader, article, confirmed):
    comment = CommentFactory(
        article=article, author=confirmed, created_at=timezone.now() - timedelta(minutes=16)
    )
    response = as_reader.post(reverse("comments:edit", args=[comment.pk]), {"body": "Late."})
    assert response.status_code == 403 and "15 minutes" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body != "Late."


def test_remove_own_comment_leaves_placeholder(as_reader, client, article, confirmed):
    comment = CommentFactory(article=article, author=confirmed, body="Regrettable words")
    reply = CommentFactory(article=article, parent=comment, body="A reply stays")
    url = reverse("comments:remove", args=[comment.pk])
    assert as_reader.get(url).status_code == 200
    assert as_reader.post(url).status_code == 302
    client.logout()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "This comment was removed" in page and "Regrettable words" not in page
    assert reply.body in page


def test_report_a_comment(as_reader, article, confirmed):
    comment = CommentFactory(article=article)
    url = reverse("comments:report", args=[comment.pk])
    field = f"r{comment.pk}-"
    assert as_reader.get(url).status_code == 200
    response = as_reader.post(url, {field + "category": "abuse", field + "note": "Personal"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.category, report.reason) == ("abuse", "Personal")
    response = as_reader.post(url, {field + "category": "spam"})
    assert response.status_code == 400 and "already reported" in response.content.decode()


def test_report_needs_a_category_and_keeps_the_note(as_reader, article):
    comment = CommentFactory(article=article)
    url = reverse("comments:report", args=[comment.pk])
    field = f"r{comment.pk}-"
    response = as_reader.post(url, {field + "note": "Keep this text"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose what is wrong" in page and "Keep this text" in page
    response = as_reader.post(url, {field + "category": "made-up"})
    assert response.status_code == 400 and not Report.objects.exists()


def test_report_from_the_article_page_comes_back_to_the_comment(as_reader, article):
    comment = CommentFactory(article=article, body="Buy cheap watches")
    page = as_reader.get(article.get_absolute_url()).content.decode()
    # The controls sit in the shared thread and belong to the section's one form.
    assert f'name="r{comment.pk}-category"' in page and 'form="report-form"' in page
    assert '<form id="report-form" method="post">' in page
    response = as_reader.post(
        reverse("comments:report", args=[comment.pk]), {f"r{comment.pk}-category": "spam"}
    )
    assert response.status_code == 302
    assert response.url == reverse("comments:permalink", args=[comment.pk]) + "?reported=1"
    follow = as_reader.get(response.url)
    assert follow.url == f"{article.get_absolute_url()}?reported={comment.pk}#comment-{comment.pk}"
    # The thank-you sits right after the reported comment's card, as a live status
    # (issue 33), not at the top of the page.
    page = as_reader.get(follow.url).content.decode()
    card_end = page.index("</article>", page.index(f'id="comment-{comment.pk}"'))
    notice = page.index(f'<p class="comment__notice" role="status" id="reported-{comment.pk}">')
    assert notice == card_end + len("</article>")
    assert 'class="messages' not in page


def test_the_report_notice_is_only_for_who_reported(as_reader, article):
    from django.test import Client

    comment = CommentFactory(article=article)
    url = f"{article.get_absolute_url()}?reported={comment.pk}"
    assert "comment__notice" not in as_reader.get(url).content.decode()  # never reported
    assert "comment__notice" not in Client().get(url).content.decode()  # anonymous


def test_report_with_javascript_answers_json(as_reader, article):
    comment = CommentFactory(article=article)
    url = reverse("comments:report", args=[comment.pk])
    headers = {"X-Requested-With": "report"}
    missing = as_reader.post(url, {}, headers=headers)
    assert missing.status_code == 400 and "Choose what is wrong" in missing.json()["message"]
    sent = as_reader.post(url, {f"r{comment.pk}-category": "spam"}, headers=headers)
    assert sent.json() == {"message": "Thank you. The moderators will look at this comment."}
    again = as_reader.post(url, {f"r{comment.pk}-category": "spam"}, headers=headers)
    assert again.status_code == 400 and again.json()["message"]


# A reader can never ... (403 or 404 each) ------------------------------------------------


def test_reader_cannot_edit_or_remove_anothers_comment(as_reader, article):
    other = CommentFactory(article=article, body="Not yours")
    for name in ("edit", "remove"):
        url = reverse(f"comments:{name}", args=[other.pk])
        assert as_reader.get(url).status_code == 404
        assert as_reader.post(url, {"body": "Mine now"}).status_code == 404
    other.refresh_from_db()
    assert other.body == "Not yours" and other.status == Status.APPROVED


def test_reader_cannot_open_the_queue_or_moderate(as_reader, article):
    pending = CommentFactory(article=article, status=Status.PENDING, body="Pending words")
    queue = reverse("comments:queue")
    response = as_reader.get(queue)
    assert response.status_code == 403 and "Pending words" not in response.content.decode()
    for action in ("approve", "reject", "spam", "restore"):
        response = as_reader.post(queue, {"single": f"{action}:{pending.pk}"})
        assert response.status_code == 403
    response = as_reader.post(queue, {"action": "approve", "comments": [pending.pk]})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert not ModerationLog.objects.filter(comment=pending).exists()


def test_reader_cannot_ban_or_lift(as_reader, confirmed, moderator, article):
    victim = ConfirmedReaderFactory()
    url = reverse("comments:ban", args=[victim.pk])
    assert as_reader.get(url).status_code == 403
    assert as_reader.post(url, {"duration": "forever", "reason": "x"}).status_code == 403
    ban = Ban.objects.create(user=confirmed, reason="Rude", moderator=moderator)
    assert as_reader.post(reverse("comments:lift_ban", args=[ban.pk])).status_code == 403
    ban.refresh_from_db()
    assert ban.lifted_at is None and not Ban.objects.filter(user=victim).exists()


def test_reader_cannot_see_others_pending_by_guessing_ids(as_reader, article):
    pending = CommentFactory(article=article, status=Status.PENDING)
    for name in ("reply", "report", "edit", "remove"):
        assert as_reader.get(reverse(f"comments:{name}", args=[pending.pk])).status_code == 404
    assert as_reader.get(reverse("comments:report", args=[999999])).status_code == 404


def test_reader_cannot_use_the_admin(as_reader, article):
    comment = CommentFactory(article=article, status=Status.PENDING)
    response = as_reader.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk]},
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_anonymous_cannot_moderate(client, article):
    pending = CommentFactory(article=article, status=Status.PENDING)
    response = client.post(reverse("comments:queue"), {"single": f"approve:{pending.pk}"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_unconfirmed_reader_cannot_report(client, reader, article):
    comment = CommentFactory(article=article)
    client.force_login(reader)
    response = client.post(
        reverse("comments:report", args=[comment.pk]), {f"r{comment.pk}-category": "spam"}
    )
    assert response.status_code == 403 and "Confirm your email" in response.content.decode()
    assert not Report.objects.exists()
