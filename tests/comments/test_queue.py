"""The moderation queue, bans, the admin, the profile list, XSS and the IP scrubber."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from comments.models import Ban, Comment, ModerationLog, Report, Status
from comments.selectors import published_comments_by
from tests.factories import ArticleFactory, CommentFactory, ConfirmedReaderFactory

pytestmark = pytest.mark.django_db

QUEUE = "/comments/moderation/"

XSS = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "<a href=\"javascript:alert('x3')\">click</a> javascript:alert('x3b')",
    "\"><svg onload=alert('x4')>",
]


def assert_harmless(html: str) -> None:
    for raw in (
        "<script>alert",
        "<img src=x",
        "<svg onload",
        'href="javascript:',
        '<a href="javascript',
    ):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(&#x27;x1&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(&#x27;x2&#x27;)&gt;" in html
    assert "&quot;&gt;&lt;svg onload=alert(&#x27;x4&#x27;)&gt;" in html


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def xss_comments(article):
    return [CommentFactory(article=article, body=body, status=Status.APPROVED) for body in XSS]


def test_queue_lists_pending_first_oldest_first_with_context(mod_client, article):
    now = timezone.now()
    newer = CommentFactory(article=article, status=Status.PENDING, created_at=now)
    older = CommentFactory(
        article=article,
        status=Status.PENDING,
        created_at=now - timedelta(hours=1),
        hold_reason="links",
        hold_reason_text="Too many links",
        ip_address="203.0.113.9",
    )
    CommentFactory(author=older.author, status=Status.SPAM)
    Report.objects.create(
        comment=older, reporter=ConfirmedReaderFactory(), category="spam", reason="Looks like ads"
    )
    Ban.objects.create(user=older.author, reason="Earlier trouble", lifted_at=now)
    approved = CommentFactory(article=article, created_at=now - timedelta(days=1))
    page = mod_client.get(QUEUE).content.decode()
    assert page.index(f'id="q-{older.pk}"') < page.index(f'id="q-{newer.pk}"')
    assert f'id="q-{approved.pk}"' not in page  # default filter: pending
    assert "Too many links" in page and "<code>links</code>" not in page
    assert article.title in page and "Looks like ads" in page and "203.0.113.9" in page
    assert "0 approved, 0 rejected, 1 spam, 1 ban" in page
    page = mod_client.get(QUEUE, {"status": "all"}).content.decode()
    assert page.index(f'id="q-{newer.pk}"') < page.index(f'id="q-{approved.pk}"')


def test_queue_filters(mod_client, article):
    other_article = ArticleFactory()
    a = CommentFactory(article=article, status=Status.PENDING, hold_reason="links")
    b = CommentFactory(article=other_article, status=Status.PENDING, hold_reason="new_reader")
    c = CommentFactory(article=article, status=Status.SPAM)

    def ids(**params):
        page = mod_client.get(QUEUE, params).content.decode()
        return {x.pk for x in (a, b, c) if f'id="q-{x.pk}"' in page}

    assert ids() == {a.pk, b.pk}
    assert ids(status="spam") == {c.pk}
    assert ids(status="all", article=article.slug) == {a.pk, c.pk}
    assert ids(status="all", article=str(other_article.pk)) == {b.pk}
    assert ids(reason="new_reader") == {b.pk}
    assert ids(status="all", author=str(c.author_id)) == {c.pk}
    assert ids(status="all", author=b.author.email) == {b.pk}
    assert mod_client.get(QUEUE, {"status": "nonsense", "page": "x"}).status_code == 200


def test_queue_query_count_is_constant(mod_client, article, django_assert_num_queries):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert mod_client.get(QUEUE).status_code == 200
        # The header's topics and the footer are fragments of their own, refilled on their
        # own clock after the articles below are made (serving's settle window, which on
        # a loaded machine spans more than one request): the queue's queries are counted.
        return len(
            [q for q in ctx.captured_queries if not q["sql"].startswith('SELECT "articles_')]
        )

    CommentFactory(article=article, status=Status.PENDING)
    count()  # the first render fills the shared fragments (the header's topics, the footer)
    few = count()
    for _ in range(20):
        c = CommentFactory(status=Status.PENDING, author=ConfirmedReaderFactory())
        Report.objects.create(comment=c, reporter=ConfirmedReaderFactory(), reason="x")
    count()  # the new articles changed the shared fragments: filled again
    assert count() == few


def test_bulk_decision_with_reason_and_replies(mod_client, article, moderator):
    top = CommentFactory(article=article, status=Status.PENDING)
    reply = CommentFactory(article=article, parent=top, status=Status.PENDING)
    other = CommentFactory(article=article, status=Status.PENDING)
    response = mod_client.post(
        QUEUE,
        {
            "action": "reject",
            "reason": "Off topic",
            "also_replies": "on",
            "comments": [top.pk, other.pk],
            "next": QUEUE + "?status=pending",
        },
    )
    assert response.status_code == 302 and response["Location"] == QUEUE + "?status=pending"
    assert set(Comment.objects.values_list("status", flat=True)) == {Status.REJECTED}
    entry = ModerationLog.objects.get(comment=reply)
    assert (entry.moderator, entry.reason, entry.action) == (moderator, "Off topic", "reject")


def test_single_row_button(mod_client, article):
    one = CommentFactory(article=article, status=Status.PENDING)
    two = CommentFactory(article=article, status=Status.PENDING)
    mod_client.post(QUEUE, {"single": f"approve:{one.pk}", "comments": [two.pk], "action": "spam"})
    assert Comment.objects.get(pk=one.pk).status == Status.APPROVED
    assert Comment.objects.get(pk=two.pk).status == Status.PENDING


def test_bad_bulk_input_is_not_an_error(mod_client):
    for data in (
        {},
        {"action": "approve"},
        {"action": "nuke", "comments": ["1"]},
        {"single": "approve:abc"},
        {"action": "approve", "comments": ["99999"]},
        {"next": "https://evil.example/"},
        {"next": "²"},  # redirect() took it for a view name: a 500
        {"next": "comments:queue"},
        {"next": "/\x00"},
    ):
        response = mod_client.post(QUEUE, data)
        assert response.status_code == 302 and response["Location"] == QUEUE, data


def test_ban_form(mod_client, confirmed, article, moderator):
    held = CommentFactory(author=confirmed, status=Status.PENDING)
    url = reverse("comments:ban", args=[confirmed.pk])
    assert mod_client.get(url).status_code == 200
    assert mod_client.post(url, {"duration": "10y", "reason": "x"}).status_code == 400
    before = timezone.now()
    response = mod_client.post(
        url, {"duration": "7d", "reason": "Repeated insults", "reject_pending": "on"}
    )
    assert response.status_code == 302
    ban = Ban.objects.get(user=confirmed)
    assert timedelta(days=7) <= ban.until - before < timedelta(days=7, minutes=1)
    assert ban.moderator == moderator and ban.reason == "Repeated insults"
    held.refresh_from_db()
    assert held.status == Status.REJECTED
    page = mod_client.get(url).content.decode()
    assert "Repeated insults" in page and "Lift this ban" in page
    mod_client.post(reverse("comments:lift_ban", args=[ban.pk]))
    ban.refresh_from_db()
    assert ban.lifted_at is not None
    mod_client.post(url, {"duration": "forever", "reason": "Spam bot"})
    assert Ban.objects.active().get(user=confirmed).until is None


def test_moderator_group_has_the_permissions(moderator, editor):
    assert moderator.has_perm("comments.moderate_comment")
    assert moderator.has_perm("comments.change_comment")
    assert not editor.has_perm("comments.moderate_comment")


# Stored XSS is harmless everywhere ------------------------------------------------------


def test_xss_harmless_on_the_article_page(client, article, xss_comments, confirmed):
    assert_harmless(client.get(article.get_absolute_url()).content.decode())
    client.force_login(confirmed)
    assert_harmless(client.get(article.get_absolute_url()).content.decode())


def test_xss_harmless_in_the_queue(mod_client, xss_comments):
    page = mod_client.get(QUEUE, {"status": "all"}).content.decode()
    assert_harmless(page)


def test_xss_harmless_in_the_admin(admin_client, xss_comments):
    changelist = admin_client.get(reverse("admin:comments_comment_changelist")).content.decode()
    for raw in ("<script>alert", "<img src=x", "<svg onload"):
        assert raw not in changelist
    assert "&lt;script&gt;alert(&#x27;x1&#x27;)&lt;/script&gt;" in changelist
    for comment in xss_comments:
        url = reverse("admin:comments_comment_change", args=[comment.pk])
        html = admin_client.get(url).content.decode()
        for raw in ("<script>alert", "<img src=x", "<svg onload"):
            assert raw not in html


def test_xss_harmless_on_the_profile_list(confirmed, article):
    for body in XSS:
        CommentFactory(article=article, author=confirmed, body=body)
    CommentFactory(author=confirmed, status=Status.PENDING, body="Not published yet")
    comments = published_comments_by(confirmed)
    html = render_to_string(
        "comments/includes/profile_comments.html", {"profile_comments": comments}
    )
    assert_harmless(html)
    assert "Not published yet" not in html and article.title in html


def test_admin_actions_call_the_services(admin_client, article, admin_user):
    comment = CommentFactory(article=article, status=Status.PENDING)
    admin_client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk]},
    )
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    entry = ModerationLog.objects.get(comment=comment)
    assert entry.moderator == admin_user and entry.action == "approve"


# IP privacy -----------------------------------------------------------------------------


def test_scrub_truncates_old_ips_only(settings):
    old = timezone.now() - timedelta(days=settings.COMMENTS_IP_RETENTION_DAYS + 1)
    v4 = CommentFactory(ip_address="203.0.113.57", created_at=old)
    v6 = CommentFactory(ip_address="2001:db8:abcd:12:1:2:3:4", created_at=old)
    none = CommentFactory(ip_address=None, created_at=old)
    fresh = CommentFactory(ip_address="198.51.100.23")
    out = io.StringIO()
    call_command("scrub_comment_ips", stdout=out)
    assert "3 comment(s)" in out.getvalue()
    values = dict(Comment.objects.values_list("pk", "ip_address"))
    assert values[v4.pk] == "203.0.113.0"
    assert values[v6.pk] == "2001:db8:abcd::"
    assert values[none.pk] is None
    assert values[fresh.pk] == "198.51.100.23"
    call_command("scrub_comment_ips", stdout=out)  # idempotent
    assert Comment.objects.get(pk=v4.pk).ip_scrubbed


def test_ip_never_shown_to_readers(client, article):
    CommentFactory(article=article, ip_address="203.0.113.77", user_agent="SecretAgent/1.0")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "203.0.113.77" not in page and "SecretAgent" not in page


def test_profile_page_lists_published_comments_harmlessly(client, confirmed, article):
    for body in XSS:
        CommentFactory(article=article, author=confirmed, body=body)
    CommentFactory(article=article, author=confirmed, status=Status.PENDING, body="Held back")
    html = client.get(confirmed.get_absolute_url()).content.decode()
    assert_harmless(html)
    assert "Held back" not in html and article.title in html


def test_seed_demo_comments_is_idempotent(client):
    ArticleFactory.create_batch(3)
    out = io.StringIO()
    call_command("seed_demo_comments", stdout=out)
    assert "Added 8 demo comments (2 in the moderation queue)." in out.getvalue()
    call_command("seed_demo_comments", stdout=out)
    assert Comment.objects.count() == 8
    assert Comment.objects.filter(status=Status.PENDING).count() == 2
    newest = Comment.objects.filter(status=Status.APPROVED).order_by("depth").last()
    assert newest.depth == 2 and newest.thread.parent_id is None
    page = client.get(newest.article.get_absolute_url()).content.decode()
    assert "Comments (3)" in page and "Noor Haddad" in page
