"""The site works by keyboard alone: the skip link, then the header's links in order."""

import pytest

from tests.factories import ArticleFactory, TopicFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_skip_link_is_first_and_moves_focus_to_main(live_server, page_at):
    TopicFactory(name="Harbours", slug="harbours", in_navigation=True)
    article = ArticleFactory(title="Storm barrier passes its first test")
    page = page_at(1280)
    page.goto(live_server.url + article.get_absolute_url())
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    assert page.locator(".skip-link").is_visible()  # shown while focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Focus is visible: an outline appears on the next link.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_search_box_reachable_by_keyboard(live_server, page_at):
    page = page_at(1280)
    page.goto(live_server.url + "/")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search":
            break
    assert page.evaluate("document.activeElement.id") == "site-search"


def test_narrow_header_search_icon_leads_to_the_search_form(live_server, page_at):
    # At 375 px the header has a search icon (the search page has the form), not the box.
    page = page_at(375)
    page.goto(live_server.url + "/")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "search-link":
            break
    assert page.evaluate("document.activeElement.textContent.trim()") == "Search"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/search/") and page.locator("#search-q").is_visible()
