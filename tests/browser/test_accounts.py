"""The whole reader journey in Chromium, with JavaScript off: from an article's
"Log in to comment" to a confirmed account and back, then log out. Screenshots of the
sign-up and profile pages go to test-artifacts/."""

import os

import pytest
from django.core import mail

from accounts.services import update_profile
from tests.accounts.helpers import PASSWORD, links_in
from tests.browser.conftest import ARTIFACTS, axe_violations
from tests.factories import ArticleFactory, ConfirmedReaderFactory, image_bytes

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# serialized_rollback like every other transactional test: mixing flushes with and without
# it leaves content types that the next serialized test cannot load back.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (375, 1280)


@pytest.fixture
def browser(chromium):
    """The shared Chromium of tests/browser/conftest.py."""
    return chromium


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_sign_up_from_article_confirm_and_log_out(browser, live_server):
    article = ArticleFactory(title="Ferry timetable changes for the winter")
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{article.get_absolute_url()}")
        page.get_by_role("link", name="Log in to comment").click()
        assert "/accounts/login/" in page.url
        page.locator("main").get_by_role("link", name="Create an account").click()
        assert "/accounts/signup/" in page.url and "next=" in page.url

        page.get_by_label("Display name").fill("Tern Watcher")
        page.get_by_label("Email").fill("tern@example.org")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password (again)").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        assert page.get_by_role("heading", name="Check your email").is_visible()
        _shot(page, "accounts-verification-sent-1280.png")

        message = next(m for m in mail.outbox if "tern@example.org" in m.to)
        link = next(link for link in links_in(message) if "/accounts/confirm-email/" in link)
        page.goto(link)
        _shot(page, "accounts-confirm-email-1280.png")
        page.get_by_role("button", name="Confirm").click()

        assert page.url == f"{live_server.url}{article.get_absolute_url()}#comments"
        assert page.get_by_role("heading", name=article.title).is_visible()
        header = page.locator(".account-nav")
        assert header.get_by_role("link", name="Tern Watcher").is_visible()

        with page.expect_navigation():  # one step: no confirmation page (issue 33)
            header.get_by_role("button", name="Log out").click()
        assert page.url == f"{live_server.url}{article.get_absolute_url()}"
        assert page.locator(".account-nav").get_by_role("link", name="Log in").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_of_signup_and_profile(page_at, live_server, width):
    reader = ConfirmedReaderFactory(display_name="Marina Okafor-Lindqvist")
    update_profile(
        user=reader,
        display_name=reader.display_name,
        bio="Reads the harbour news with her morning coffee and argues kindly about "
        "the new ferry timetable.",
        avatar_bytes=image_bytes("PNG", (400, 300), colour=(40, 120, 90)),
    )
    page = page_at(width)
    response = page.goto(f"{live_server.url}/accounts/signup/")
    assert response.status == 200
    _shot(page, f"accounts-signup-{width}.png")
    # A failed sign-up, to see the error styles.
    page.get_by_label("Display name").fill("Tern Watcher")
    page.get_by_label("Email").fill("tern@example.org")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)").fill("different")
    page.get_by_role("button", name="Create account").click()
    assert page.locator(".form-errors").is_visible()
    _shot(page, f"accounts-signup-errors-{width}.png")

    page.goto(f"{live_server.url}{reader.get_absolute_url()}")
    assert page.get_by_role("heading", name=reader.display_name).is_visible()
    assert reader.email not in page.content()
    _shot(page, f"accounts-profile-{width}.png")

    page.goto(f"{live_server.url}/accounts/login/")
    _shot(page, f"accounts-login-{width}.png")
    page.get_by_label("Email").fill(reader.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/accounts/profile/")
    assert page.get_by_role("heading", name="Your profile").is_visible()
    _shot(page, f"accounts-profile-edit-{width}.png")
    page.goto(f"{live_server.url}/accounts/delete/")
    _shot(page, f"accounts-delete-{width}.png")
    page.goto(f"{live_server.url}/accounts/email/")
    _shot(page, f"accounts-email-{width}.png")
    page.goto(f"{live_server.url}/accounts/password/change/")
    _shot(page, f"accounts-password-{width}.png")


@pytest.mark.parametrize(
    "path", ["/accounts/signup/", "/accounts/login/", "/accounts/profile/", "/accounts/delete/"]
)
def test_account_pages_pass_axe(page_at, live_server, path):
    reader = ConfirmedReaderFactory()
    page = page_at(1280)
    if path in ("/accounts/profile/", "/accounts/delete/"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(reader.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}{path}")
    # Our part of the page: the main content and the settings tabs (the header and
    # footer belong to the site and have their own checks).
    found = axe_violations(page, include=["main", ".settings-nav"])
    assert found == [], "\n".join(found)
