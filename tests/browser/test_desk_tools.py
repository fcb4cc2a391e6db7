"""The desk's other tools at 1280 px (and the reader pages they make at 375 too): autosave
after a closed tab, pins with pictures and link cards on the reader pages, the focal
point chosen by clicking the picture. Apart from tests/browser/test_editor_desk.py's
journey so that another xdist worker (which takes whole files) can run them meanwhile."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.library import Image
from articles.models import Pin
from tests.browser.conftest import assert_no_horizontal_scroll, axe_violations
from tests.browser.test_editor_desk import _login, _shot
from tests.factories import ArticleFactory, EditorFactory, image_upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_closed_tab_loses_at_most_a_few_seconds(live_server, page_at, artifacts):
    EditorFactory(username="marta", email="marta@example.org")
    page = page_at(1280)
    _login(page, live_server.url)
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.fill("#id_title", "Storm warning for the north coast")
    page.locator(".prose-editor .ProseMirror[contenteditable=true]").click()
    page.keyboard.type("Gusts of up to 110 km/h are expected tonight.")
    expect(page.locator(".autosave-status")).to_contain_text("Autosaved at", timeout=12_000)
    context = page.context
    page.close()  # the tab is gone, nothing was saved

    again = context.new_page()
    again.goto(live_server.url + "/admin/articles/article/add/")
    expect(again.locator(".autosave-notice")).to_contain_text("that was not saved")
    _shot(again, artifacts, "autosave-notice", full_page=False)  # the notice tops the form
    again.get_by_role("link", name="Restore it").click()
    expect(again.locator("#id_title")).to_have_value("Storm warning for the north coast")
    expect(again.locator(".prose-editor .ProseMirror[contenteditable=true]")).to_contain_text(
        "Gusts of up to 110 km/h"
    )


@pytest.mark.parametrize("width", [375, 1280])
def test_reader_pages_with_pins_pictures_and_cards(live_server, page_at, artifacts, width):
    from articles.models import Topic

    topic = Topic.objects.create(name="Coast", slug="coast", in_navigation=True)
    picture = Image.objects.create(
        file=image_upload("cliff.jpg", size=(1600, 1000)),
        title="Cliff",
        alt_text="Chalk cliffs above a grey sea",
        caption="The cliffs at low tide.",
    )
    body = (
        "<p>The coast path reopens after the winter slips.</p>"
        f'<figure class="figure"><img src="{picture.largest_url}" alt="" data-file="{picture.pk}">'
        "<figcaption>The cliffs at low tide.</figcaption></figure>"
        '<div class="embed"><a href="https://www.example.org/coast-path-map">map</a></div>'
    )
    pinned = ArticleFactory(
        title="Coast path reopens",
        body=body,
        image=picture,
        published_at=timezone.now() - timezone.timedelta(days=4),
    )
    pinned.topics.add(topic)
    for i in range(3):
        ArticleFactory(title=f"Harbour note {i}").topics.add(topic)
    Pin.objects.create(article=pinned, topic=topic)

    page = page_at(width)
    page.goto(live_server.url + topic.get_absolute_url())
    expect(page.locator(".pinned")).to_contain_text("Coast path reopens")
    assert_no_horizontal_scroll(page)
    _shot_at(page, artifacts, "topic-pins", width)
    assert axe_violations(page) == []
    page.goto(live_server.url + pinned.get_absolute_url())
    expect(page.locator(".article__body picture")).to_have_count(1)
    expect(page.locator(".embed-card")).to_contain_text("example.org")
    assert_no_horizontal_scroll(page)
    _shot_at(page, artifacts, "article-card", width)
    assert axe_violations(page) == []


def _shot_at(page, artifacts, name, width):
    page.screenshot(path=str(artifacts / f"desk-{name}-{width}.png"), full_page=True)


def test_focal_point_is_chosen_by_clicking_the_picture(live_server, page_at, artifacts):
    EditorFactory(username="marta", email="marta@example.org")
    picture = Image.objects.create(
        file=image_upload("pier.jpg", size=(1600, 1200)), title="Pier", alt_text="A pier"
    )
    before = picture.renditions["jpeg"][0][1]
    page = page_at(1280)
    _login(page, live_server.url)
    page.goto(live_server.url + f"/admin/articles/image/{picture.pk}/change/")
    img = page.locator(".focal-picker img")
    box = img.bounding_box()
    img.click(position={"x": box["width"] * 0.9, "y": box["height"] * 0.2})
    assert abs(float(page.input_value("#id_focal_x")) - 0.9) < 0.02
    _shot(page, artifacts, "focal-point")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    picture.refresh_from_db()
    assert abs(picture.focal_x - 0.9) < 0.02 and abs(picture.focal_y - 0.2) < 0.02
    assert picture.renditions["jpeg"][0][1] != before  # cropped anew around the point
