"""The API's interactive docs work under the site's CSP, with no file from a CDN."""

from __future__ import annotations

import pytest

from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [375, 1280])
def test_api_docs_render_and_try_a_request(live_server, page_at, artifacts, width):
    ArticleFactory(title="Harbour lights return for the festival")
    page = page_at(width)
    problems, requests = [], []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))

    page.goto(f"{live_server.url}/api/v1/docs")
    page.get_by_text("Published articles, newest first").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.locator(".responses-wrapper .live-responses-table").wait_for()
    page.get_by_text("Harbour lights return for the festival").first.wait_for()
    page.screenshot(path=str(artifacts / f"api-docs-{width}.png"), full_page=False)

    assert problems == []
    assert all(url.startswith(live_server.url) for url in requests), requests
