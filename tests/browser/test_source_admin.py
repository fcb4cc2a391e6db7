"""The admin's source list: feed health, last result and next poll in one screen at 1280 px,
and a per-row "Fetch now" that queues a poll without fetching in the request."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ingest.models import FeedState
from tests.browser.conftest import assert_no_horizontal_scroll, sign_in_to_admin
from tests.factories import EditorFactory, SourceFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("width", [1280, 375])
def test_source_list_shows_the_schedule_and_queues_a_fetch(
    live_server, page_at, artifacts, settings, width
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    EditorFactory(username="ines", email="ines@example.org")
    now = timezone.now()
    healthy = SourceFactory(name="The Harbour Ledger", feed_url="https://ledger.example.org/rss")
    FeedState.objects.create(
        source=healthy,
        last_fetched_at=now - timedelta(minutes=3),
        last_result="2 new, 1 updated",
        next_poll_at=now + timedelta(minutes=27),
        poll_interval=1800,
        # What the feed needed and how full text went (issue 30) stay within the row.
        repairs="7 HTML entities mapped; 2 stray &s escaped; the encoding was detected as cp949",
        full_text_note="3 of 4 articles fetched in full, 06 Dec 11:02; kept the summary: "
        "'Pier reopens after storm repairs': HTTP 403 Forbidden from "
        "https://ledger.example.org/2026/03/pier-reopens-after-storm-repairs",
    )
    failing = SourceFactory(name="Valley Courier", feed_url="https://courier.example.org/feed")
    FeedState.objects.create(
        source=failing,
        last_fetched_at=now - timedelta(minutes=10),
        last_error="HTTP 503 Service Unavailable from https://courier.example.org/feed.",
        consecutive_failures=3,
        last_result="Failed",
        next_poll_at=now + timedelta(minutes=20),
    )
    SourceFactory(name="Newsroom Demo Wire", feed_url="https://demo.example.org/feed.xml")
    SourceFactory(name="Northwind Wire", feed_url="")

    page = page_at(width)
    sign_in_to_admin(page, live_server.url, "ines")
    page.goto(live_server.url + "/admin/articles/source/")
    table = page.locator("#result_list").text_content().replace("\xa0", " ")
    for text in (
        "Next poll",
        "Last result",
        "Due now",
        "Failing",
        "3 in a row",
        "2 new, 1",
        "Repaired: 7 HTML entities",
        "Full text: 3 of 4",
    ):
        assert text in table
    assert re.search(r"in 2[67] minutes", table)
    page.screenshot(path=str(artifacts / f"admin-sources-{width}.png"), full_page=True)
    if width == 1280:
        # Everything a moderator of feeds needs fits the screen: no sideways scrolling
        # of the page or of the table.
        assert_no_horizontal_scroll(page)
        overflow = page.evaluate(
            "(() => { const t = document.querySelector('#result_list');"
            " return t.scrollWidth - t.closest('.results').clientWidth; })()"
        )
        assert overflow <= 0, f"the source list scrolls sideways by {overflow}px"
    page.get_by_role("button", name="Fetch Valley Courier now").click()
    assert "Valley Courier: fetch queued" in page.locator(".messagelist").inner_text()
    poll = DBTaskResult.objects.get(task_path="ingest.scheduling.poll_feed")
    assert poll.args_kwargs["args"] == [failing.pk] and poll.status == "READY"
