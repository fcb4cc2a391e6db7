"""The article page in a real browser, on a phone and on a desktop."""

import pytest

from articles.models import Promo
from tests.browser.conftest import assert_image_loaded, assert_no_horizontal_scroll
from tests.factories import ArticleFactory, PromoFactory, TopicFactory, image_upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


RELATED_SUMMARIES = (
    "The ferry timetable adds a late boat on Fridays from June.",
    "A new lighthouse keeper starts work on the north pier in March.",
    "Fishing boats come home early as the cod season closes.",
)


@pytest.mark.parametrize("width", [375, 1280])
def test_article_page_renders_at_width(live_server, page_at, artifacts, width):
    topic = TopicFactory(name="Harbours", slug="harbours", in_navigation=True)
    article = ArticleFactory.build(
        title="Storm barrier passes its first test",
        body="<p>" + "The barrier closed in eleven minutes. " * 30 + "</p>",
        lead_image_caption="The barrier at dawn.",
        lead_image_credit="Demo Studio",
    )
    article.source.save()
    article.lead_image.save("lead.jpg", image_upload(size=(1600, 900)), save=False)
    article.save()
    article.topics.set([topic])
    # Three other events on the same topic (identical text would be one story, whose other
    # write-ups the stories app lists on the story page instead of under Related).
    for i, summary in enumerate(RELATED_SUMMARIES):
        ArticleFactory(
            title=f"Related harbour story {i}",
            summary=summary,
            body=f"<p>{summary}</p>",
            topics=[topic],
        )
    PromoFactory()
    PromoFactory(
        placement=Promo.Placement.APP_FOOTER,
        title="Download the app",
        app_store_url="https://apps.example.org/ios",
        play_store_url="https://apps.example.org/android",
    )

    page = page_at(width)
    response = page.goto(live_server.url + article.get_absolute_url())
    assert response.status == 200
    lead = page.locator(".lead-figure img")
    assert_image_loaded(lead)
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text() == "Storm barrier passes its first test"
    assert page.locator(".related .card").count() == 3
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / f"article-{width}.png"), full_page=True)
