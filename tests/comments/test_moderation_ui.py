"""The queue's Reported view, per-comment reasons, decisions answered in place for the
script, counts, permalinks and the moderator's buttons on the article page."""

import pytest
from django.urls import reverse

from comments import services
from comments.models import Comment, ModerationLog, Report, Status
from comments.selectors import moderation_counts
from tests.factories import CommentFactory, ConfirmedReaderFactory

pytestmark = pytest.mark.django_db

QUEUE = "/comments/moderation/"
FETCH = {"HTTP_X_REQUESTED_WITH": "moderation"}


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def report(comment, category="abuse", note=""):
    return services.report_comment(
        comment=comment, reporter=ConfirmedReaderFactory(), category=category, note=note
    )


def test_one_report_puts_a_comment_in_reported_view(mod_client, article, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 3
    comment = CommentFactory(article=article, status=Status.APPROVED, body="Rude words")
    report(comment, "abuse", "Name-calling")
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED  # below the threshold: still published
    page = mod_client.get(QUEUE, {"status": "reported"}).content.decode()
    assert f'id="q-{comment.pk}"' in page
    assert "Reported ×1" in page and "Abuse or harassment" in page and "Name-calling" in page
    assert moderation_counts() == {"pending": 0, "reported": 1}


def test_threshold_hides_the_comment_and_a_decision_answers_the_reports(
    mod_client, article, settings
):
    settings.COMMENTS_REPORT_THRESHOLD = 2
    comment = CommentFactory(article=article, status=Status.APPROVED)
    report(comment)
    report(comment, "spam")
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert moderation_counts() == {"pending": 1, "reported": 1}
    mod_client.post(QUEUE, {"single": f"approve:{comment.pk}"})
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert not Report.objects.open().exists() and Report.objects.count() == 2
    assert moderation_counts() == {"pending": 0, "reported": 0}
    page = mod_client.get(QUEUE, {"status": "reported"}).content.decode()
    assert f'id="q-{comment.pk}"' not in page


def test_keeping_a_published_reported_comment_is_logged(mod_client, article, moderator):
    comment = CommentFactory(article=article, status=Status.APPROVED)
    report(comment)
    mod_client.post(QUEUE, {"single": f"approve:{comment.pk}"})
    entry = ModerationLog.objects.get(comment=comment)
    assert (entry.moderator, entry.reason) == (moderator, "Reports dismissed")
    assert not Report.objects.open().exists()


def test_row_reason_is_its_own_and_bulk_reason_is_the_bars(mod_client, article):
    one = CommentFactory(article=article, status=Status.PENDING)
    two = CommentFactory(article=article, status=Status.PENDING)
    mod_client.post(
        QUEUE,
        {"single": f"reject:{one.pk}", f"reason-{one.pk}": "Personal attack", "reason": "bulk"},
    )
    assert ModerationLog.objects.get(comment=one).reason == "Personal attack"
    mod_client.post(
        QUEUE,
        {"action": "reject", "comments": [two.pk], "reason": "Off topic", f"reason-{two.pk}": "x"},
    )
    assert ModerationLog.objects.get(comment=two).reason == "Off topic"


def test_decision_for_the_script_returns_the_row_and_counts(mod_client, article):
    comment = CommentFactory(article=article, status=Status.PENDING)
    CommentFactory(article=article, status=Status.PENDING)
    response = mod_client.post(QUEUE, {"single": f"approve:{comment.pk}"}, **FETCH)
    data = response.json()
    assert response.status_code == 200
    assert data["message"] == "1 comment approved."
    assert data["counts"] == {"pending": 1, "reported": 0}
    row = data["rows"][str(comment.pk)]
    assert row.strip().startswith(
        f'<li class="queue-item queue-item--approved" id="q-{comment.pk}"'
    )
    bad = mod_client.post(QUEUE, {"action": "approve"}, **FETCH)
    assert bad.status_code == 400 and "Choose at least one" in bad.json()["message"]


def test_queue_shows_the_text_a_reply_answers_and_labels_not_codes(mod_client, article):
    parent = CommentFactory(article=article, status=Status.APPROVED, body="The ferry is late")
    CommentFactory(
        article=article,
        parent=parent,
        status=Status.PENDING,
        hold_reason="new_reader",
        hold_reason_text="New reader",
    )
    page = mod_client.get(QUEUE).content.decode()
    assert "In reply to" in page and "The ferry is late" in page
    assert "New reader" in page and "new_reader" not in page.split('<ol class="queue-list">')[1]
    assert "data-select-all" in page and "js/moderation" in page and 'id="queue-keys"' in page


def test_permalink_opens_the_page_that_holds_the_comment(client, article, settings):
    settings.COMMENTS_PER_PAGE = 2
    roots = CommentFactory.create_batch(5, article=article, status=Status.APPROVED)
    reply = CommentFactory(article=article, parent=roots[4], status=Status.APPROVED)
    response = client.get(reverse("comments:permalink", args=[reply.pk]))
    assert response.url == f"{article.get_absolute_url()}?cpage=3#comment-{reply.pk}"
    response = client.get(reverse("comments:permalink", args=[roots[0].pk]))
    assert response.url == f"{article.get_absolute_url()}#comment-{roots[0].pk}"
    page = client.get(f"{article.get_absolute_url()}?cpage=3").content.decode()
    assert f'id="comment-{reply.pk}"' in page


def test_moderator_decides_on_pending_comments_from_the_article_page(mod_client, article):
    held = CommentFactory(article=article, status=Status.PENDING, body="Held for a moderator")
    page = mod_client.get(article.get_absolute_url()).content.decode()
    assert "Awaiting moderation (1)" in page and "Held for a moderator" in page
    assert f'value="approve:{held.pk}"' in page and f'value="reject:{held.pk}"' in page
    response = mod_client.post(
        QUEUE,
        {"single": f"approve:{held.pk}", "next": article.get_absolute_url() + "#comments"},
    )
    assert response["Location"] == article.get_absolute_url() + "#comments"
    assert Comment.objects.get(pk=held.pk).status == Status.APPROVED


def test_readers_never_see_moderation_buttons(client, article, confirmed):
    CommentFactory(article=article, status=Status.PENDING, body="Held for a moderator")
    client.force_login(confirmed)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Held for a moderator" not in page and "Awaiting moderation (" not in page


def test_staff_header_counts_pending_and_reported_for_moderators_only(
    client, mod_client, article, confirmed
):
    CommentFactory(article=article, status=Status.PENDING)
    reported = CommentFactory(article=article, status=Status.APPROVED)
    report(reported)
    page = mod_client.get("/").content.decode()
    assert '<span data-count="pending">1</span>' in page
    assert '<span data-count="reported">1</span>' in page
    client.logout()
    assert "data-count" not in client.get("/").content.decode()
    client.force_login(confirmed)
    assert "data-count" not in client.get("/").content.decode()


def test_moderation_pages_leave_out_the_app_block(mod_client, article):
    from articles.models import Promo
    from tests.factories import PromoFactory

    PromoFactory(
        placement=Promo.Placement.APP_FOOTER,
        title="Download the app",
        app_store_url="https://apps.example.org/ios",
    )
    assert "Download the app" in mod_client.get("/").content.decode()
    assert "Download the app" not in mod_client.get(QUEUE).content.decode()
