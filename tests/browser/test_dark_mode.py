"""Light and dark themes on the account and search pages, at phone and desktop widths.

Every stylesheet reads site.css's custom properties, so the dark theme reaches the
account pages too (they once kept light colours: accounts.css read names site.css never
defined). Screenshots go to test-artifacts/theme-*.png."""

import os

import pytest
from django.urls import reverse

from tests.accounts.helpers import PASSWORD
from tests.browser.conftest import ARTIFACTS, assert_no_horizontal_scroll
from tests.factories import ArticleFactory, ConfirmedReaderFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# site.css's --bg in each theme, as the browser computes it.
BACKGROUND = {"light": "rgb(255, 255, 255)", "dark": "rgb(18, 20, 23)"}


def _colours(page, selector: str) -> tuple[str, str]:
    return page.eval_on_selector(
        selector,
        "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]",
    )


def _log_in(context, live_server, reader):
    page = context.new_page()
    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", reader.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.account-form button[type=submit], main form button[type=submit]")
    page.wait_for_load_state()
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_account_and_search_pages_follow_the_theme(page_at, live_server, scheme):
    ArticleFactory(title="Harbour ferry timetable changes", summary="The winter ferry timetable.")
    reader = ConfirmedReaderFactory()
    pages = {
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "search": reverse("search:search") + "?q=ferry",
    }
    for width in (375, 1280):
        page = page_at(width, scheme=scheme)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            assert _colours(page, "body")[0] == BACKGROUND[scheme], name
            assert_no_horizontal_scroll(page)
            page.screenshot(path=str(ARTIFACTS / f"theme-{name}-{scheme}-{width}.png"))
        if scheme == "dark":
            # The entrance card and the inputs use the dark surface, not the light fallback.
            page.goto(live_server.url + pages["login"])
            card_bg, _ = _colours(page, "input[name=login]")
            assert card_bg != "rgb(255, 255, 255)"
        _log_in(page.context, live_server, reader)
        page.goto(live_server.url + reverse("accounts:profile_edit"))
        assert _colours(page, "body")[0] == BACKGROUND[scheme]
        page.screenshot(path=str(ARTIFACTS / f"theme-profile-{scheme}-{width}.png"))
        page.goto(live_server.url + reader.get_absolute_url())
        assert _colours(page, "body")[0] == BACKGROUND[scheme]
        page.screenshot(path=str(ARTIFACTS / f"theme-public-profile-{scheme}-{width}.png"))
