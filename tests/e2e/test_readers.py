"""Readers through Varnish: sign up, confirm by the mailed link, comment; a moderator
approves; an anonymous reader sees it. Forms keep working with several tabs open."""

from __future__ import annotations

import re
import time

from tests.e2e.http import PASSWORD, shows_within

ARTICLE = "/articles/ferry-timetable/"


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form[action^='/accounts/login/'] button[type=submit]").click()


def test_a_new_reader_signs_up_confirms_by_mail_and_their_comment_goes_live(stack, new_page):
    page = new_page()
    page.goto(stack.url + ARTICLE)
    page.get_by_role("link", name="Log in to comment").click()
    page.locator("main").get_by_role("link", name="Create an account").click()
    page.get_by_label("Display name").fill("Wren Harbour")
    page.get_by_label("Email").fill("wren@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_role("heading", name="Check your email").is_visible()

    # The worker hands the mail to the SMTP server; its link opens on this site.
    mail = stack.smtp.wait_for(lambda m: "wren@example.org" in m.recipients, timeout=20)
    link = re.search(r"http://\S+/accounts/confirm-email/\S+", mail.text()).group(0)
    assert link.startswith(stack.url + "/accounts/confirm-email/")
    assert "/accounts/confirm-email/" in mail.html()
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(stack.url + ARTICLE + "#comments")
    assert page.locator(".account-nav").get_by_role("link", name="Wren Harbour").is_visible()

    text = "The winter ferry leaves too early for the night shift."
    page.locator("#comment-body").fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert page.url.startswith(stack.url + ARTICLE)
    assert text not in page_for_anonymous(stack)  # held for moderation

    moderator = new_page()
    log_in(moderator, stack.url, "mod@example.org")
    moderator.goto(stack.url + ARTICLE)
    pending = moderator.locator(".comments__moderate li", has_text=text)
    with moderator.expect_navigation():
        pending.get_by_role("button", name="Approve").click()
    approved_at = time.monotonic()
    seconds = shows_within(stack.url, ARTICLE, text, seconds=2)
    print(f"approved comment visible through Varnish after {time.monotonic() - approved_at:.2f} s")
    assert seconds < 2


def page_for_anonymous(stack) -> str:
    from tests.e2e.http import anonymous_get

    response = anonymous_get(stack.url, ARTICLE)
    assert response.status_code == 200
    return response.text


def test_a_login_form_left_open_in_one_tab_still_works_after_another_form_page(stack, new_page):
    # One reader, two tabs: the login page, then the sign-up page in the second tab, then
    # log in from the first. Through Varnish the second page used to set a new CSRF
    # cookie, and the login failed with a 403.
    first = new_page()
    first.goto(stack.url + "/accounts/login/")
    second = first.context.new_page()
    second.goto(stack.url + "/accounts/signup/")
    second.goto(stack.url + "/accounts/password/reset/")
    first.get_by_label("Email").fill("ada@example.org")
    first.get_by_label("Password").fill(PASSWORD)
    with first.expect_navigation() as navigation:
        first.locator("main form[action^='/accounts/login/'] button[type=submit]").click()
    assert navigation.value is None or navigation.value.status != 403
    assert first.locator(".account-nav").get_by_role("link", name="Ada Quayside").is_visible()
