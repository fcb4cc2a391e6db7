"""An editor's journey in the admin: write, upload, schedule, preview, publish."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.conftest import (
    assert_image_loaded,
    assert_no_horizontal_scroll,
    fill_quay_article,
    sign_in_to_admin,
)
from tests.factories import EditorFactory, SourceFactory, image_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("width", [375, 1280])
def test_editor_schedules_previews_and_publishes(live_server, page_at, artifacts, tmp_path, width):
    EditorFactory(username="ines", email="ines@example.org")
    SourceFactory(name="The Harbour Ledger", slug="harbour-ledger")
    photo = tmp_path / "quay.jpg"
    photo.write_bytes(image_bytes("JPEG", (1600, 900), (40, 110, 170)))
    title = f"New quay lights switched on at {width}"

    page = page_at(width)
    sign_in_to_admin(page, live_server.url, "ines")
    fill_quay_article(page, live_server.url, title=title, photo=photo)
    when = timezone.localtime() + timezone.timedelta(days=2)
    page.fill("#id_published_at_0", when.strftime("%Y-%m-%d"))
    page.fill("#id_published_at_1", when.strftime("%H:%M:%S"))
    page.screenshot(path=str(artifacts / f"editor-form-{width}.png"), full_page=True)
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator("#result_list")).to_contain_text("Scheduled")

    article = Article.objects.get(title=title)
    assert article.is_scheduled and article.lead_image_renditions["webp"]

    # Readers do not see it yet; the editor previews it.
    page.goto(live_server.url + article.get_absolute_url())
    assert page.locator(".preview-banner").is_visible()
    assert "Preview - not published" in page.locator(".preview-banner").inner_text()
    assert_image_loaded(page.locator(".lead-figure img"))
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / f"editor-preview-{width}.png"), full_page=True)

    # Publish now with the bulk action.
    page.goto(live_server.url + "/admin/articles/article/")
    page.locator("#result_list tbody tr", has_text=title).locator("input.action-select").check()
    page.select_option("select[name=action]", "publish_now")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("Published 1 article(s).")

    anonymous = page_at(width)
    anonymous.goto(live_server.url + "/")
    expect(anonymous.locator("main")).to_contain_text(title)
    assert_no_horizontal_scroll(anonymous)
    feed = anonymous.request.get(live_server.url + reverse("syndication:feed_latest_rss"))
    assert feed.ok and title in feed.text()
    anonymous.goto(live_server.url + article.get_absolute_url())
    assert anonymous.locator(".preview-banner").count() == 0
    anonymous.screenshot(path=str(artifacts / f"editor-published-{width}.png"), full_page=True)
