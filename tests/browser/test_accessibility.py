"""axe-core finds no violations on the reader pages, in light and dark themes (the dark
pass runs the rules a change of colours can affect: tests/browser/conftest.py)."""

import pytest

from articles.models import Promo
from tests.browser.conftest import axe_violations
from tests.factories import (
    AgencyFactory,
    ArticleFactory,
    PromoFactory,
    SourceFactory,
    TopicFactory,
    image_upload,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def site():
    topic = TopicFactory(name="Harbours", slug="harbours", in_navigation=True)
    source = SourceFactory(name="The Harbour Ledger", slug="harbour-ledger")
    agency = AgencyFactory(name="Northwind Wire", slug="northwind-wire")
    lead = ArticleFactory.build(
        title="Storm barrier passes its first test",
        source=source,
        agency=agency,
        lead_image_caption="The barrier at dawn.",
    )
    lead.lead_image.save("lead.jpg", image_upload(size=(1200, 675)), save=False)
    lead.save()
    lead.topics.set([topic])
    for i in range(4):
        ArticleFactory(title=f"Harbour story number {i}", source=source, topics=[topic])
    PromoFactory()
    PromoFactory(
        placement=Promo.Placement.APP_FOOTER,
        title="Download the app",
        app_store_url="https://apps.example.org/ios",
        play_store_url="https://apps.example.org/android",
    )
    return {
        "home": "/",
        "article": lead.get_absolute_url(),
        "source": source.get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "search": "/search/?q=harbour",
        "search-empty": "/search/?q=%21%21%21",
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reader_pages_have_no_axe_violations(live_server, page_at, site, scheme):
    page = page_at(1280, scheme=scheme)
    problems = {}
    for name, path in site.items():
        page.goto(live_server.url + path)
        found = axe_violations(page, colours_only=scheme == "dark")
        if found:
            problems[name] = found
    assert problems == {}
