"""axe-core finds no violations on the reader pages, in light and dark themes."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from articles.models import Promo
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

AXE = Axe()


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


def _violations(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reader_pages_have_no_axe_violations(live_server, chromium, site, scheme):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    problems = {}
    for name, path in site.items():
        page.goto(live_server.url + path)
        found = _violations(page)
        if found:
            problems[name] = found
    context.close()
    assert problems == {}
