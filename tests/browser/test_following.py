"""The follow button and the Following pages in a real browser: no layout shift when the
button is pressed, no sideways scrolling, no axe violations; screenshots at 375 and 1280."""

from __future__ import annotations

import pytest

from following import tokens
from tests.factories import ConfirmedReaderFactory, SourceFactory, TopicFactory
from tests.following.conftest import report

from .conftest import assert_no_horizontal_scroll, axe_violations, sign_in_with_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [375, 1280])
def test_follow_without_layout_shift_then_read_the_following_page(
    live_server, page_at, artifacts, width
):
    topic = TopicFactory(name="Ferries", slug="ferries", description="Crossings and crews.")
    source = SourceFactory(name="Coast Post", slug="coast-post")
    first = report(hours_ago=3, topics=[topic])
    report(hours_ago=1, story_of=first, source=source)
    report(hours_ago=2, topics=[topic])
    reader = ConfirmedReaderFactory()
    page = page_at(width)
    sign_in_with_cookie(page, live_server, reader)
    page.goto(live_server.url + topic.get_absolute_url())
    button = page.locator("main .follow__button")
    before = button.bounding_box()
    feed = page.locator("main .feed-link").bounding_box()
    with page.expect_navigation():
        button.click()
    after = page.locator("main .follow__button")
    assert after.get_attribute("aria-pressed") == "true"
    box = after.bounding_box()
    assert (box["x"], box["width"], box["height"]) == (
        before["x"],
        before["width"],
        before["height"],
    )
    assert page.locator("main .feed-link").bounding_box()["x"] == feed["x"]
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / f"following-topic-{width}.png"), full_page=True)
    problems = {}
    for name, path in [
        ("topic", topic.get_absolute_url()),
        ("page", "/following/"),
        ("profile", "/accounts/profile/"),
        ("unsubscribe", f"/following/unsubscribe/{tokens.make(reader.pk, 'briefing')}/"),
    ]:
        page.goto(live_server.url + path)
        assert_no_horizontal_scroll(page)
        page.screenshot(path=str(artifacts / f"following-{name}-{width}.png"), full_page=True)
        if found := axe_violations(page):
            problems[name] = found
    assert problems == {}
