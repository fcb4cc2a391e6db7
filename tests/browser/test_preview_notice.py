"""An editor's preview of a draft shows where comments will go, not a form."""

import pytest
from django.conf import settings
from django.test import Client

from articles.models import Article
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.factories import ArticleFactory, EditorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("width", [375, 1280])
def test_draft_preview_says_comments_open_on_publication(live_server, page_at, artifacts, width):
    article = ArticleFactory(
        title="Night ferry timetable, draft",
        status=Article.Status.DRAFT,
        body="<p>" + "The night ferry will call at the island twice. " * 12 + "</p>",
    )
    client = Client()
    client.force_login(EditorFactory())
    page = page_at(width)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    response = page.goto(live_server.url + article.get_absolute_url())
    assert response.status == 200
    notice = page.get_by_text("Comments open when the article is published.")
    assert notice.is_visible()
    assert page.locator("#comment-form").count() == 0
    assert_no_horizontal_scroll(page)
    notice.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"preview-comments-{width}.png"))
