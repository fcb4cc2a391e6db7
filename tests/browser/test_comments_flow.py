"""Comments in a real browser: a reader comments, a moderator approves, the public sees it."""

import pytest
from django.urls import reverse

from comments.models import Comment, Status
from tests.browser.conftest import (
    assert_no_horizontal_scroll,
    axe_violations,
    sign_in_with_cookie,
)
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    ConfirmedReaderFactory,
    ModeratorFactory,
    confirm_email,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-Long-passw0rd!"  # tests.factories.UserFactory's password


def log_in(page, email):
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action^='/accounts/login/'] button[type=submit]").click()


@pytest.mark.parametrize("width", [375, 1280])
def test_comment_moderate_publish(live_server, page_at, artifacts, width):
    article = ArticleFactory(
        title="Night buses return to the valley",
        body="<p>" + "The council restored three night routes after a long campaign. " * 8 + "</p>",
    )
    earlier = CommentFactory(
        article=article,
        body="Good news for shift workers at the hospital.\nThey waited two years.",
        author=ConfirmedReaderFactory(display_name="Ines Marlow"),
    )
    CommentFactory(
        article=article,
        parent=earlier,
        body="Timetable is at https://transport.example.org/night - worth a look.",
        author=ConfirmedReaderFactory(display_name="Tomas Reed"),
    )
    reader = ConfirmedReaderFactory(display_name="Lena Fischer")
    moderator = confirm_email(ModeratorFactory(display_name="Mod Sam"))
    url = live_server.url + article.get_absolute_url()
    text = "Will the 2 a.m. bus stop at the station too? <b>asking</b>"

    # 1. A confirmed reader follows "Log in to comment", comments, sees it awaiting moderation.
    page = page_at(width)
    page.goto(url)
    page.get_by_role("link", name="Log in to comment").click()
    log_in(page, reader.email)
    page.wait_for_url(f"{url}#comments")
    page.fill("#comment-body", text)
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    mine = page.locator(".comment--pending")
    assert mine.locator(".comment__badge").inner_text() == "Awaiting moderation"
    assert mine.locator(".comment__body").inner_text() == text
    assert page.locator("#comments-title").inner_text() == "Comments (2)"
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / f"comments-pending-{width}.png"), full_page=True)
    comment = Comment.objects.get(author=reader)
    assert comment.status == Status.PENDING

    # Nobody else sees it yet.
    public = page_at(width)
    public.goto(url)
    assert "asking" not in public.locator("#comments").inner_text()

    # 2. A moderator approves it from the queue, using the keyboard.
    mod = page_at(width)
    mod.goto(live_server.url + reverse("account_login") + "?next=" + reverse("comments:queue"))
    log_in(mod, moderator.email)
    mod.wait_for_url("**" + reverse("comments:queue"))
    row = mod.locator(f"#q-{comment.pk}")
    assert "Site pre-moderation" in row.inner_text() or "New reader" in row.inner_text()
    assert_no_horizontal_scroll(mod)
    mod.screenshot(path=str(artifacts / f"comments-queue-{width}.png"), full_page=True)
    approve = row.get_by_role("button", name="Approve")
    approve.focus()
    # The queue's script decides in place: the row changes, the page stays.
    mod.keyboard.press("Enter")
    mod.locator(f"#q-{comment.pk}.queue-item--approved").wait_for()
    assert mod.locator("#queue-status").inner_text() == "1 comment approved."
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED

    # 3. An anonymous visitor now sees it, escaped, with the count updated.
    public.goto(url)
    section = public.locator("#comments")
    assert public.locator("#comments-title").inner_text() == "Comments (3)"
    assert text in section.inner_text()
    assert section.locator("b").count() == 0
    assert "Awaiting moderation" not in section.inner_text()
    link = section.locator("a[href='https://transport.example.org/night']")
    assert link.get_attribute("rel") == "nofollow ugc noopener"
    assert section.get_by_role("link", name="Log in to comment").is_visible()
    assert_no_horizontal_scroll(public)
    public.screenshot(path=str(artifacts / f"comments-public-{width}.png"), full_page=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_comments_and_queue_have_no_axe_violations(live_server, page_at, scheme):
    """Every page state in full in the light theme; in the dark one, the rules a change of
    colours can affect (tests/browser/conftest.py)."""
    article = ArticleFactory(title="Harbour ferry fares to rise in spring")
    top = CommentFactory(article=article, body="Fares rose last year too.")
    CommentFactory(article=article, parent=top, body="See https://fares.example.org/2025")
    CommentFactory(article=article, status=Status.REMOVED)
    reader = ConfirmedReaderFactory()
    CommentFactory(article=article, author=reader, status=Status.PENDING, body="Mine, held")
    moderator = confirm_email(ModeratorFactory())
    CommentFactory(article=article, status=Status.PENDING, hold_reason="links")

    pages = {}  # one visitor (a page with its own cookies) per person
    problems = {}
    for who, path, expect in [
        (None, article.get_absolute_url(), "Log in to comment"),
        (reader, article.get_absolute_url(), "Awaiting moderation"),
        (reader, reverse("comments:reply", args=[top.pk]), "Post reply"),
        (moderator, reverse("comments:queue"), "Apply to selected"),
        (moderator, reverse("comments:ban", args=[reader.pk]), "Ban from commenting"),
    ]:
        page = pages.get(who)
        if page is None:
            page = pages[who] = page_at(1280, scheme=scheme)
            if who is not None:
                sign_in_with_cookie(page, live_server, who)
        page.goto(live_server.url + path)
        assert expect in page.content()
        found = axe_violations(page, colours_only=scheme == "dark")
        if found:
            problems[f"{who and who.public_name}:{path}"] = found
    assert problems == {}
