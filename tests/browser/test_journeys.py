"""A reader's and a moderator's journeys end to end, on a phone and on a desktop.

The reader starts on the home page, opens an article, signs up from "Log in to comment",
confirms the email from the outbox, comments and sees it awaiting moderation. A moderator
logs in, finds it in the queue and approves it; the reader and an anonymous visitor then
see it. Every page is checked for sideways scrolling and photographed.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment, Status
from tests.accounts.helpers import links_in
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.factories import ArticleFactory, ModeratorFactory, TopicFactory, confirm_email

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-Long-passw0rd!"


def _shot(page, artifacts, name, width):
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / f"journey-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [375, 1280])
def test_reader_signs_up_comments_and_moderator_approves(live_server, page_at, artifacts, width):
    topic = TopicFactory(name="Transport", slug="transport", in_navigation=True)
    # Two events (the same summary would make them one story, listed once).
    ArticleFactory(
        title="Tram stops get new shelters",
        summary="Glass shelters with benches replace the old poles at twelve tram stops.",
        topics=[topic],
    )
    article = ArticleFactory(
        title=f"Night buses return to the valley ({width})",
        summary="Three night routes are back after a campaign by shift workers.",
        body="<p>" + "The council restored three night routes after a campaign. " * 6 + "</p>",
        topics=[topic],
    )
    moderator = confirm_email(ModeratorFactory(display_name="Mod Sam"))
    email = f"tern{width}@example.org"
    text = "Will the two o'clock bus stop at the hospital too?"

    # The reader: home page, then the article.
    reader = page_at(width)
    reader.goto(live_server.url + "/")
    _shot(reader, artifacts, "home", width)
    reader.locator("main").get_by_role("link", name=article.title).first.click()
    expect(reader.locator("h1")).to_have_text(article.title)
    _shot(reader, artifacts, "article", width)

    # Sign up from "Log in to comment" and confirm from the outbox.
    reader.get_by_role("link", name="Log in to comment").click()
    reader.locator("main").get_by_role("link", name="Create an account").click()
    reader.get_by_label("Display name").fill("Tern Watcher")
    reader.get_by_label("Email").fill(email)
    reader.get_by_label("Password", exact=True).fill(PASSWORD)
    reader.get_by_label("Password (again)").fill(PASSWORD)
    _shot(reader, artifacts, "signup", width)
    reader.get_by_role("button", name="Create account").click()
    expect(reader.get_by_role("heading", name="Check your email")).to_be_visible()
    message = next(m for m in mail.outbox if email in m.to)
    link = next(u for u in links_in(message) if "/accounts/confirm-email/" in u)
    reader.goto(link)
    reader.get_by_role("button", name="Confirm").click()
    reader.wait_for_url(f"**{article.get_absolute_url()}#comments")

    # Comment; it waits for a moderator and only its author sees it.
    reader.fill("#comment-body", text)
    with reader.expect_navigation():
        reader.get_by_role("button", name="Post comment").click()
    pending = reader.locator(".comment--pending")
    expect(pending.locator(".comment__badge")).to_have_text("Awaiting moderation")
    expect(pending.locator(".comment__body")).to_have_text(text)
    _shot(reader, artifacts, "awaiting-moderation", width)
    comment = Comment.objects.get(author__email=email)
    assert comment.status == Status.PENDING

    anonymous = page_at(width)
    anonymous.goto(live_server.url + article.get_absolute_url())
    expect(anonymous.locator("#comments")).not_to_contain_text(text)

    # The moderator approves it from the queue.
    mod = page_at(width)
    mod.goto(live_server.url + reverse("account_login") + "?next=" + reverse("comments:queue"))
    mod.fill("input[name=login]", moderator.email)
    mod.fill("input[name=password]", PASSWORD)
    mod.locator("form[action^='/accounts/login/'] button[type=submit]").click()
    mod.wait_for_url("**" + reverse("comments:queue"))
    row = mod.locator(f"#q-{comment.pk}")
    expect(row).to_contain_text(text)
    _shot(mod, artifacts, "queue", width)
    row.get_by_role("button", name="Approve").click()  # decided in place by the queue's script
    expect(mod.locator(f"#q-{comment.pk}")).to_have_class(re.compile("queue-item--approved"))
    expect(mod.locator("#queue-status")).to_have_text("1 comment approved.")

    # The reader and an anonymous visitor now see it, published.
    for page, name in ((reader, "reader-after"), (anonymous, "anonymous-after")):
        page.goto(live_server.url + article.get_absolute_url())
        section = page.locator("#comments")
        expect(section).to_contain_text(text)
        expect(section).not_to_contain_text("Awaiting moderation")
        expect(page.locator("#comments-title")).to_have_text("Comments (1)")
        _shot(page, artifacts, name, width)
