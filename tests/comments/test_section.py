"""The comments section of the article page: counts, threads, order, pages, queries."""

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Status
from comments.selectors import attach_comment_counts
from comments.services import comment_approve
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    ConfirmedReaderFactory,
    ModeratorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def page_of(client, article, **params):
    response = client.get(article.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def test_empty_state_and_login_link_for_anonymous(client, article):
    page = page_of(client, article)
    assert "Comments (0)" in page and "No comments yet..." in page
    login = reverse("account_login")
    next_value = f"{article.get_absolute_url()}%23comments"
    assert f'href="{login}?next={next_value}"' in page
    assert "Log in to comment" in page


def test_anonymous_page_carries_no_per_visitor_data(client, article):
    # Another engineer caches whole pages for anonymous readers: nothing personal here.
    CommentFactory(article=article)
    response = client.get(article.get_absolute_url())
    page = response.content.decode()
    assert "csrfmiddlewaretoken" not in page and "<form" not in page.split('id="comments"')[1]
    assert "comment-form" not in page and "Reply</a>" not in page and "Report</a>" not in page
    assert "csrftoken" not in response.cookies


def test_signed_in_reader_gets_the_form(client, article, confirmed):
    client.force_login(confirmed)
    page = page_of(client, article)
    assert 'id="comment-form"' in page and "csrfmiddlewaretoken" in page
    assert "Log in to comment" not in page


def test_closed_article_says_so_to_everyone(client, article, confirmed):
    article.comments_enabled = False
    article.save()
    assert "Comments on this article are closed." in page_of(client, article)
    client.force_login(confirmed)
    page = page_of(client, article)
    assert "Comments on this article are closed." in page and "comment-form" not in page


def test_heading_counts_approved_only_and_threads_nest(client, article):
    top = CommentFactory(article=article, body="Top level")
    reply = CommentFactory(article=article, parent=top, body="First reply")
    CommentFactory(article=article, parent=reply, body="Reply to reply")
    CommentFactory(article=article, status=Status.PENDING, body="Held back")
    CommentFactory(article=article, status=Status.REJECTED, body="Rejected words")
    CommentFactory(article=article, status=Status.SPAM, body="Spam words")
    rejected_parent = CommentFactory(article=article, status=Status.REJECTED)
    CommentFactory(article=article, parent=rejected_parent, body="Orphaned reply")
    page = page_of(client, article)
    assert "Comments (4)" in page  # includes the orphaned reply's approved status
    for hidden in ("Held back", "Rejected words", "Spam words", "Orphaned reply"):
        assert hidden not in page
    section = page.split('id="comments"')[1]
    assert (
        section.index("Top level") < section.index("First reply") < section.index("Reply to reply")
    )
    assert section.count('class="comment-list comment-list--replies"') == 2


def test_order_oldest_and_newest(client, article):
    CommentFactory(article=article, body="Older one")
    CommentFactory(article=article, body="Newer one")
    page = page_of(client, article)
    assert page.index("Older one") < page.index("Newer one")
    assert "?order=newest#comments" in page
    page = page_of(client, article, order="newest")
    assert page.index("Newer one") < page.index("Older one")


def test_pages_of_threads_reachable_without_js(client, article, settings):
    settings.COMMENTS_PER_PAGE = 2
    comments = [CommentFactory(article=article, body=f"Number {i:02d} here") for i in range(5)]
    CommentFactory(article=article, parent=comments[2], body="Reply on page two")
    page = page_of(client, article)
    assert "Number 00" in page and "Number 01" in page and "Number 02" not in page
    assert (
        "Page 1 of 3" in page
        and 'href="' + article.get_absolute_url() + '?cpage=2#comments"' in page
    )
    page = page_of(client, article, cpage=2)
    assert "Number 02" in page and "Reply on page two" in page and "Number 00" not in page
    for bad in ("abc", "-4", "999", "1" * 300):
        assert "Number" in page_of(client, article, cpage=bad)


def test_own_pending_comment_marked_in_place(client, article, confirmed):
    CommentFactory(article=article, body="Approved first")
    CommentFactory(article=article, author=confirmed, status=Status.PENDING, body="Mine, held")
    client.force_login(confirmed)
    page = page_of(client, article)
    assert "Mine, held" in page and "Awaiting moderation" in page
    assert page.index("Approved first") < page.index("Mine, held")


def test_own_thread_reuses_other_readers_cards_and_follows_changes(client, article, confirmed):
    """A commenter's own thread renders only their own cards; the others come from the
    cache, and a change to the thread (an edit, a new comment) is seen at once."""
    theirs = CommentFactory(article=article, body="Another reader view")
    CommentFactory(article=article, author=confirmed, body="My own view")
    client.force_login(confirmed)

    def cards_rendered() -> int:
        response = client.get(article.get_absolute_url())
        return [t.name for t in response.templates].count("comments/includes/comment_card.html")

    assert cards_rendered() == 2  # the first time: both
    assert cards_rendered() == 1  # then only the reader's own; the other from the cache
    page = page_of(client, article)
    mine, other = page.index("My own view"), page.index("Another reader view")
    # Edit and Remove on one's own card, Report (not Edit) on the other reader's.
    assert "Edit</a>" in page[mine:] and "Report" in page[other:mine]
    assert "Edit</a>" not in page[other:mine]
    theirs.body = "Another reader view, edited"
    theirs.save()
    assert "Another reader view, edited" in page_of(client, article)
    CommentFactory(article=article, body="A third voice")
    assert "A third voice" in page_of(client, article)


def _seed_comments(article, n):
    authors = ConfirmedReaderFactory.create_batch(3)
    tops = []
    for i in range(n):
        if i % 3 == 0 or not tops:
            tops.append(CommentFactory(article=article, author=authors[i % 3]))
        else:
            CommentFactory(article=article, author=authors[i % 3], parent=tops[-1])


@pytest.mark.parametrize("n", [0, 10, 500])
def test_article_page_queries_are_constant_for_anonymous(
    client, article, django_assert_num_queries, n
):
    _seed_comments(article, n)
    # The article page's own 8 queries + 2 for the comments section, whatever n is,
    # + the next-scheduled lookup on a cache miss, + 2 for the stories app's tags (the
    # story link and the key points).
    with django_assert_num_queries(10 + 1 + 2):
        page = page_of(client, article)
    assert f"Comments ({n})" in page


@pytest.mark.parametrize("n", [0, 10, 500])
def test_article_page_queries_are_constant_for_a_reader(
    client, article, confirmed, django_assert_num_queries, n
):
    _seed_comments(article, n)
    CommentFactory(article=article, author=confirmed, status=Status.PENDING)
    client.force_login(confirmed)
    # + the session with its user, + three for the reader's record (their addresses, bans and the
    # articles they commented on), + the next-scheduled lookup on a cache miss, + 2 for
    # the stories app's tags.
    with django_assert_num_queries(12 + 3 + 2):
        page_of(client, article)
    # Again: the session with its user, + their own thread (they have a comment here), built for
    # them in two queries; the record, the article and its fragments are kept.
    with django_assert_num_queries(1 + 2):
        page_of(client, article)


def test_shared_thread_never_shows_one_readers_pending_comment_to_another(
    client, article, confirmed
):
    CommentFactory(article=article, body="Approved for all")
    other = ConfirmedReaderFactory()
    CommentFactory(article=article, author=other, status=Status.PENDING, body="Only mine")
    # A reader with no comment here fills the shared fragment first...
    client.force_login(confirmed)
    first = page_of(client, article)
    assert "Approved for all" in first and "Only mine" not in first
    # ...the author still gets their own thread, with their pending comment and Edit...
    client.force_login(other)
    own = page_of(client, article)
    assert "Only mine" in own and "Awaiting moderation" in own and "Edit</a>" in own
    # ...and after them, readers and anonymous visitors still get the shared one.
    client.force_login(confirmed)
    assert "Only mine" not in page_of(client, article)
    client.logout()
    assert "Only mine" not in page_of(client, article)


def test_shared_thread_varies_with_the_right_to_reply(client, article, confirmed):
    CommentFactory(article=article, body="Worth a reply")
    client.force_login(confirmed)
    assert "Reply</a>" in page_of(client, article)
    client.force_login(UserFactory())  # email not confirmed: may report, not reply
    page = page_of(client, article)
    assert "Reply</a>" not in page and "<summary>Report</summary>" in page
    client.logout()
    page = page_of(client, article)
    assert "Reply</a>" not in page and "<summary>Report</summary>" not in page


def test_shared_thread_is_fresh_after_a_moderation_decision(client, article, confirmed):
    author = ConfirmedReaderFactory()
    comment = CommentFactory(article=article, author=author, status=Status.PENDING, body="Held")
    client.force_login(confirmed)
    assert "Held" not in page_of(client, article)
    comment_approve(comment=comment, moderator=ModeratorFactory())
    page = page_of(client, article)
    assert "Held" in page and "Comments (1)" in page


def test_reader_queries_with_a_shared_thread(client, article, confirmed, django_assert_num_queries):
    _seed_comments(article, 30)
    client.force_login(confirmed)
    page_of(client, article)
    # The session with its user. The reader's record (comments.permissions.reader_record),
    # the article, its body, the thread, related cards and the rest come from the cache.
    with django_assert_num_queries(1):
        page = page_of(client, article, cpage=1)
    assert "Comments (30)" in page and "Reply</a>" in page


def test_made_up_comment_pages_are_answered_but_not_stored(client, article, confirmed):
    CommentFactory(article=article, body="Only page")
    client.force_login(confirmed)
    page = page_of(client, article, cpage=10**9)
    assert "Only page" in page
    assert page_of(client, article, cpage="nonsense").count("Only page") == 1


def test_attach_comment_counts_is_one_query(django_assert_num_queries):
    articles = ArticleFactory.create_batch(3)
    CommentFactory.create_batch(2, article=articles[0])
    CommentFactory(article=articles[1])
    CommentFactory(article=articles[1], status=Status.PENDING)
    with django_assert_num_queries(1):
        attach_comment_counts(articles)
    assert [a.comment_count for a in articles] == [2, 1, 0]
    with django_assert_num_queries(0):
        attach_comment_counts([])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
def test_comment_counts_use_the_article_index_without_statistics():
    # No ANALYZE has run on a fresh SQLite file: with the status in the WHERE clause the
    # planner took the (status, created_at) index and counted every approved comment of
    # the site for each home render (135-185 ms at 100,000 comments; docs/benchmarks.md).
    # A home page's cards: the plan depends on how many (a few took the right index).
    articles = [SimpleNamespace(pk=pk) for pk in range(1, 41)]
    with CaptureQueriesContext(connection) as queries:
        attach_comment_counts(articles)
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        plan = " ".join(row[-1] for row in cursor.execute("EXPLAIN QUERY PLAN " + query["sql"]))
    assert "USING COVERING INDEX comment_roots_idx (article_id=?)" in plan, plan


def test_cards_show_the_count(article):
    from comments.selectors import mark_count_slots
    from serving import slots

    CommentFactory.create_batch(3, article=article)
    mark_count_slots([article])
    html = Template('{% include "includes/card.html" %}').render(Context({"article": article}))
    assert "comments" not in html  # a slot, filled once the page has rendered
    assert "3 comments" in slots.fill(html)[0]


# The body filter ----------------------------------------------------------------------


def render_body(text):
    return Template("{% load comments_tags %}{{ text|comment_body }}").render(
        Context({"text": text})
    )


def test_urls_become_nofollow_links_and_lines_are_kept():
    html = render_body("Read https://example.org/a?b=1&c=2.\nAnd www.example.net (ok)")
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
        "https://example.org/a?b=1&amp;c=2</a>." in html
    )
    assert (
        '<a href="https://www.example.net" rel="nofollow ugc noopener">www.example.net</a>' in html
    )
    assert "<br>" in html


def test_javascript_urls_are_never_links():
    html = render_body("click javascript:alert(1) or JaVaScRiPt:alert(2)")
    assert "<a" not in html and "javascript:alert(1)" in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '"><svg onload=alert(1)>',
        'https://e.org/"onmouseover="alert(1)',
        "https://e.org/<script>x</script>",
    ],
)
def test_body_filter_escapes_everything(payload):
    html = render_body(payload)
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert not re.search(r'"\s*onmouseover=', html)


def test_shared_thread_is_built_as_nobodys(client, article, confirmed, monkeypatch):
    """Even if a reader's first comment lands between the check for their own comments
    and the thread query, the shared fragment is built without them: their pending
    comment cannot reach other readers."""
    from comments.templatetags import comments_tags

    CommentFactory(article=article, body="Approved for all")
    real = comments_tags.viewer_facts

    def facts_then_comment(user, art):
        facts = real(user, art)  # "no comment of theirs here"...
        CommentFactory(article=art, author=user, status=Status.PENDING, body="Racing in")
        return facts  # ...and now there is one

    # The race, made to happen: the comment is saved right after the facts were read.
    monkeypatch.setattr(comments_tags, "viewer_facts", facts_then_comment)
    client.force_login(confirmed)
    page_of(client, article)
    monkeypatch.undo()
    client.force_login(ConfirmedReaderFactory())
    other = page_of(client, article)
    assert "Approved for all" in other and "Racing in" not in other


@pytest.mark.parametrize("kind", ["draft", "scheduled", "withdrawn"])
def test_a_preview_says_comments_open_on_publication(client, editor, kind):
    """Staff previewing an unpublished article got a comment form that answered 404."""
    from datetime import timedelta

    from django.utils import timezone

    from articles.models import Article
    from tests.factories import ArticleFactory

    article = ArticleFactory()
    if kind == "scheduled":
        article.published_at = timezone.now() + timedelta(days=1)
    else:
        article.status = Article.Status.DRAFT if kind == "draft" else Article.Status.WITHDRAWN
    article.save()
    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Comments open when the article is published." in html
    assert reverse("comments:post", args=[article.slug]) not in html


def _token(page: str) -> str:
    return re.search(
        r'id="comment-form">\s*<input type="hidden" name="csrfmiddlewaretoken" '
        r'value="([^"]+)"',
        page,
    )[1]


def test_readers_share_the_section_but_each_form_carries_its_own_csrf_token(article, renders):
    from django.test import Client

    CommentFactory(article=article, body="The winter timetable starts on Monday.")
    first, second = ConfirmedReaderFactory(), ConfirmedReaderFactory()
    one, two = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one.force_login(first)
    two.force_login(second)
    url = article.get_absolute_url()

    page_one, rendered_one = renders(one, url, "comments/includes/section.html")
    page_two, rendered_two = renders(two, url, "comments/includes/section.html")
    assert (rendered_one, rendered_two) == (1, 0)  # the second reader's came from the cache
    assert "The winter timetable starts on Monday." in page_two
    token = _token(page_two)
    assert token != _token(page_one)
    # Both forms of the section carry the reader's own token (the report form's too), as
    # does the header's Log out.
    assert page_two.count(f'value="{token}"') == 3
    response = two.post(
        reverse("comments:post", args=[article.slug]),
        {"body": "Will the late ferry keep running?", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_what_is_personal_in_the_section_is_never_shared(article, settings):
    from django.test import Client

    from comments import services

    settings.COMMENTS_MAX_LENGTH = 30
    refused, banned, other = (ConfirmedReaderFactory() for _ in range(3))
    services.ban_user(user=banned, moderator=ModeratorFactory(), until=None, reason="Spam links")
    clients = {}
    for reader in (refused, banned, other):
        clients[reader] = Client()
        clients[reader].force_login(reader)

    text = "A remark far too long for the limit set here"
    response = clients[refused].post(reverse("comments:post", args=[article.slug]), {"body": text})
    assert response.status_code == 400 and text in response.content.decode()
    assert "Spam links" in page_of(clients[banned], article)
    page = page_of(clients[other], article)
    assert text not in page and "Spam links" not in page and "comment-form" in page
    # And the other way round: a shared section in the cache never reaches them.
    assert "Spam links" in page_of(clients[banned], article)
    assert "comment-form" not in page_of(clients[banned], article)
