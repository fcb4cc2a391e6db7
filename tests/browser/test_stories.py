"""The story page and the article page's story blocks in a real browser: axe, screenshots."""

import pytest

from articles.models import Promo
from stories import services
from stories.models import StoryMembership
from tests.factories import PromoFactory, SourceFactory, TopicFactory, image_upload
from tests.stories.conftest import CHESS, FERRY, make

from .conftest import assert_no_horizontal_scroll, axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def story_site():
    """Two sources on one ferry strike (grouped on save, as in production), one other report."""
    topic = TopicFactory(name="Islands", slug="islands", in_navigation=True)
    ledger = SourceFactory(name="The Harbour Ledger", slug="harbour-ledger")
    wire = SourceFactory(name="Northwind Wire", slug="northwind-wire")
    first = make(*FERRY[0], hours_ago=3, source=ledger)
    first.lead_image.save("ferry.jpg", image_upload(size=(1200, 675)), save=False)
    first.lead_image_caption = "The ferry tied up at the quay."
    first.save()
    second = make(*FERRY[1], hours_ago=2, source=wire)
    chess = make(*CHESS, hours_ago=1, source=wire)
    for article in (first, second, chess):
        article.topics.set([topic])
    PromoFactory(
        title="Try our AI features",
        text="Key points, full coverage from every source, related by meaning.",
        link_url="http://testserver/features/",
    )
    PromoFactory(placement=Promo.Placement.APP_FOOTER, title="Download the app")
    story = StoryMembership.objects.get(article=first).story
    # Both reports said nearly the same thing: one point, "also reported by" the wire.
    services.save_points(
        {
            first.pk: [(0, FERRY[0][2][1]), (1, FERRY[0][2][2])],
            second.pk: [(0, FERRY[0][2][1].replace("The operator, ", "Operator "))],
        }
    )
    services.refresh_stories([story.pk])
    return {"story": story.get_absolute_url(), "article": first.get_absolute_url()}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_story_pages_have_no_axe_violations(live_server, page_at, story_site, scheme):
    # The dark theme: the rules a change of colours can affect (tests/browser/conftest.py).
    page = page_at(1280, scheme=scheme)
    problems = {}
    for name, path in [*story_site.items(), ("features", "/features/")]:
        page.goto(live_server.url + path)
        if found := axe_violations(page, colours_only=scheme == "dark"):
            problems[name] = found
    assert problems == {}


@pytest.mark.parametrize("width", [375, 1280])
def test_story_and_article_pages_screenshots(live_server, page_at, story_site, artifacts, width):
    page = page_at(width)
    page.goto(live_server.url + story_site["story"])
    assert page.locator("h1").inner_text() == FERRY[0][0]
    assert page.locator(".timeline__item").count() == 2
    assert "also reported by Northwind Wire" in page.locator(".key-points__list").inner_text()
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / f"story-page-{width}.png"), full_page=True)

    page.goto(live_server.url + story_site["article"])
    link = page.locator("a.coverage__link")
    assert link.inner_text() == "2 sources cover this story"
    assert link.get_attribute("href") == story_site["story"]
    assert page.locator(".key-points__list li").count() >= 2
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / f"story-article-page-{width}.png"), full_page=True)
    link.click()
    assert page.url.endswith(story_site["story"])
