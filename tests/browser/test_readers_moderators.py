"""Issue 19 in a real browser: a reader reports a comment with a category without leaving
the article; a moderator works the queue from the keyboard alone; axe finds nothing on the
touched pages; and no page scrolls sideways at 320 px."""

import pytest
from django.urls import reverse

from comments import services
from comments.models import Comment, ModerationLog, Report, Status
from tests.browser.conftest import assert_no_horizontal_scroll, axe_violations
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    ConfirmedReaderFactory,
    ModeratorFactory,
    TopicFactory,
    confirm_email,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-Long-passw0rd!"  # tests.factories.UserFactory's password


def log_in(page, base, email, next_url=""):
    page.goto(base + reverse("account_login") + (f"?next={next_url}" if next_url else ""))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form[action^='/accounts/login/'] button[type=submit]").click()


@pytest.fixture
def discussion():
    topics = [
        TopicFactory(name=name, slug=name.lower(), in_navigation=True, position=n)
        for n, name in enumerate(
            [
                "Politics",
                "Climate",
                "Business",
                "Science",
                "Culture",
                "Sport",
                "Transport",
                "Health",
            ]
        )
    ]
    article = ArticleFactory(
        title="Night buses return to the valley",
        byline="Ines Marlow",
        topics=topics[:2],
        body="<p>"
        + "The council restored three night routes after a long campaign. " * 30
        + "</p>",
    )
    rude = CommentFactory(
        article=article,
        status=Status.APPROVED,
        body="Anyone who rides these buses is an idiot.",
        author=ConfirmedReaderFactory(display_name="Rex Thorn"),
    )
    CommentFactory(
        article=article,
        parent=rude,
        status=Status.APPROVED,
        body="No need for that.",
        author=ConfirmedReaderFactory(display_name="Tomas Reed"),
    )
    return article, rude


@pytest.mark.parametrize("width", [375, 1280])
def test_reader_reports_a_comment_with_a_category(
    live_server, page_at, artifacts, width, discussion
):
    article, rude = discussion
    reader = ConfirmedReaderFactory(display_name="Lena Fischer")
    page = page_at(width)
    url = live_server.url + article.get_absolute_url()
    log_in(page, live_server.url, reader.email, article.get_absolute_url())
    page.goto(url)
    card = page.locator(f"#comment-{rude.pk} > .comment__card")
    card.locator(".comment__report > summary").first.click()
    card.get_by_label("Abuse or harassment").check()
    card.get_by_label("Note for the moderators (optional)").fill("Calls other readers names.")
    page.screenshot(path=str(artifacts / f"issue19-report-open-{width}.png"), full_page=False)
    assert_no_horizontal_scroll(page)
    assert axe_violations(page) == []
    card.get_by_role("button", name="Send report").click()
    # Still on the same article, with a thank-you beside the comment (issue 33).
    notice = page.locator(f"#comment-{rude.pk} > .comment__notice")
    notice.get_by_text("The moderators will look at this comment").wait_for()
    assert page.url == url
    page.screenshot(path=str(artifacts / f"issue19-report-sent-{width}.png"), full_page=False)
    report = Report.objects.get()
    assert (report.category, report.reason, report.reporter_id) == (
        "abuse",
        "Calls other readers names.",
        reader.pk,
    )


def _tab_to(page, name: str, limit: int = 40) -> None:
    """Press Tab until the link or button called `name` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate("document.activeElement && document.activeElement.innerText")
        if text and text.strip().startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def _count(page, name: str) -> str:
    return page.locator(f'.account-nav [data-count="{name}"]').inner_text()


@pytest.mark.parametrize("width", [375, 1280])
def test_moderator_works_the_queue_from_the_keyboard(
    live_server, page_at, artifacts, width, discussion
):
    article, rude = discussion
    first = CommentFactory(article=article, status=Status.PENDING, body="A fair point about fares.")
    second = CommentFactory(
        article=article, status=Status.PENDING, body="Buy watches at cheap.example"
    )
    services.report_comment(comment=rude, reporter=ConfirmedReaderFactory(), category="abuse")
    moderator = confirm_email(ModeratorFactory(display_name="Mod Sam"))
    page = page_at(width)
    log_in(page, live_server.url, moderator.email)
    page.goto(live_server.url + "/")
    assert (_count(page, "pending"), _count(page, "reported")) == ("2", "1")

    # Open the queue from the header with the keyboard.
    _tab_to(page, "Moderation")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(reverse("comments:queue"))
    assert page.locator("#queue-keys").is_visible()

    # j: the first comment, with a visible focus; a: approve it in place.
    page.keyboard.press("j")
    row = page.locator(f"#q-{first.pk}")
    assert row.evaluate("el => el === document.activeElement")
    assert row.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.screenshot(path=str(artifacts / f"issue19-queue-focus-{width}.png"), full_page=False)
    url_before = page.url
    page.keyboard.press("a")
    page.locator(f"#q-{first.pk}.queue-item--approved").wait_for()
    assert page.url == url_before  # no reload
    assert _count(page, "pending") == "1"

    # j, r: type the reason, Enter rejects the second one.
    page.keyboard.press("j")
    assert page.locator(f"#q-{second.pk}").evaluate("el => el === document.activeElement")
    page.keyboard.press("r")
    page.keyboard.type("Advertising")
    page.keyboard.press("Enter")
    page.locator(f"#q-{second.pk}.queue-item--rejected").wait_for()
    assert _count(page, "pending") == "0"
    assert page.locator("#queue-status").inner_text() == "1 comment rejected."
    assert_no_horizontal_scroll(page)
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / f"issue19-queue-decided-{width}.png"), full_page=False)
    assert Comment.objects.get(pk=first.pk).status == Status.APPROVED
    assert ModerationLog.objects.filter(comment=second, action="reject").get().reason == (
        "Advertising"
    )

    # The Reported view has the reported comment with its reason; keeping it clears the count.
    page.goto(live_server.url + reverse("comments:queue") + "?status=reported")
    assert "Abuse or harassment" in page.locator(f"#q-{rude.pk}").inner_text()
    page.keyboard.press("j")
    page.keyboard.press("a")
    # The row was approved already ("Keep"): wait for the answer, not for a class.
    page.locator("#queue-status", has_text="1 comment approved.").wait_for(state="attached")
    assert _count(page, "reported") == "0"
    assert not page.locator(f"#q-{rude.pk} details.queue-item__reports[open]").count()
    page.screenshot(path=str(artifacts / f"issue19-queue-reported-{width}.png"), full_page=False)


def test_no_page_scrolls_sideways_at_320(live_server, page_at, discussion):
    article, rude = discussion
    reader = ConfirmedReaderFactory(display_name="A reader with a rather long display name")
    moderator = confirm_email(ModeratorFactory(display_name="Mod Sam"))
    CommentFactory(article=article, status=Status.PENDING, hold_reason="links")
    anonymous = [
        "/",
        article.get_absolute_url(),
        "/topics/politics/",
        article.source.get_absolute_url(),
        "/authors/ines-marlow/",
        "/search/?q=buses",
        "/about/",
        reverse("account_login"),
        reverse("account_signup"),
        reverse("accounts:resend_confirmation"),
        reverse("account_reset_password"),
        "/no-such-page/",
    ]
    signed_in = [
        "/",
        article.get_absolute_url(),
        reverse("comments:report", args=[rude.pk]),
        reverse("accounts:profile_edit"),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("accounts:delete"),
    ]
    staff = [
        "/",
        article.get_absolute_url(),
        reverse("comments:queue"),
        reverse("comments:queue") + "?status=all",
        reverse("comments:ban", args=[reader.pk]),
        reader.get_absolute_url(),
    ]
    page = page_at(320)
    wide = {}

    def visit(paths, who):
        for path in paths:
            page.goto(live_server.url + path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                wide[f"{who} {path}"] = overflow

    visit(anonymous, "anonymous")
    log_in(page, live_server.url, reader.email)
    visit(signed_in, "reader")
    page.goto(live_server.url + reverse("account_logout"))
    page.locator("main form[action^='/accounts/logout/'] button[type=submit]").click()
    log_in(page, live_server.url, moderator.email)
    visit(staff, "moderator")
    assert wide == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_touched_pages_have_no_axe_violations(live_server, page_at, discussion, scheme):
    from accounts.mail import unsubscribe_token

    article, rude = discussion
    reader = ConfirmedReaderFactory(display_name="Lena Fischer")
    moderator = confirm_email(ModeratorFactory(display_name="Mod Sam"))
    CommentFactory(article=article, status=Status.PENDING, parent=rude, hold_reason="links")
    page = page_at(1280, scheme=scheme)
    problems = {}

    def check(paths):
        for path in paths:
            page.goto(live_server.url + path)
            page.locator("details").evaluate_all("els => els.forEach(d => d.open = true)")
            # The dark theme: the rules a change of colours can affect (conftest.py).
            found = axe_violations(page, colours_only=scheme == "dark")
            if found:
                problems[path] = found

    check(
        [
            "/",
            article.get_absolute_url(),
            "/authors/ines-marlow/",
            "/search/?q=buses",
            reverse("accounts:resend_confirmation"),
            reverse("accounts:unsubscribe", args=[unsubscribe_token(reader, "reply")]),
        ]
    )
    log_in(page, live_server.url, reader.email)
    check([article.get_absolute_url(), reverse("comments:report", args=[rude.pk])])
    page.context.clear_cookies()
    log_in(page, live_server.url, moderator.email)
    check(
        [
            article.get_absolute_url(),
            reverse("comments:queue"),
            reverse("comments:queue") + "?status=all",
            reverse("comments:ban", args=[reader.pk]),
        ]
    )
    assert problems == {}
