"""The editors' desk at 1280 px: write with the rich text editor (a library picture and a
link card inside), preview before saving, schedule, compare two revisions, restore one,
pin the article as the home lead and see it published on time; axe on the reader pages."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from articles.library import Image
from articles.models import Article, ArticleRevision, Pin
from tests.browser.conftest import assert_no_horizontal_scroll, sign_in_to_admin
from tests.factories import ArticleFactory, EditorFactory, SourceFactory, image_upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Axe()
TITLE = "Lighthouse keepers hand over to volunteers"


def _shot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"desk-{name}-1280.png"), full_page=True)


def _axe(page) -> list[str]:
    results = AXE.run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def _login(page, url):
    sign_in_to_admin(page, url, "marta")


def _write(page, artifacts):
    """Type the body with the editor's menu: heading, text, a library picture, a card."""
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", "The last two keepers retire; a volunteer crew takes the lamp.")
    editor = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("After forty years the lamp passes to the harbour volunteers.")
    page.keyboard.press("Enter")
    # The figure button opens the editor's dialog; "Browse..." opens the library picker.
    page.locator(".prose-menubar__button[title='figure']").first.click()
    dialog = page.locator("dialog[open]")
    with page.expect_popup() as popup_info:
        dialog.get_by_role("button", name="Browse...").click()
    picker = popup_info.value
    picker.wait_for_load_state()
    picker.fill("#picker-q", "lamp")
    picker.press("#picker-q", "Enter")
    picker.wait_for_load_state()
    picker.screenshot(path=str(artifacts / "desk-picker-1280.png"), full_page=True)
    with picker.expect_event("close"):  # choosing closes the picker window
        picker.locator(".picker-choice", has_text="Lamp room").dispatch_event("click")
    expect(dialog.locator("input[name=altText]")).to_have_value("The lamp room at dusk")
    dialog.get_by_role("button", name="Insert").click()
    expect(editor.locator("figure img")).to_have_count(1)
    # The embed block: a URL kept as a plain link card.
    page.locator(".prose-menubar__button[title='Embed a link card']").first.click()
    page.locator("dialog[open] input[name=url]").fill("https://www.example.org/keepers-log")
    page.locator("dialog[open]").get_by_role("button", name="Insert").click()
    expect(editor.locator("div.embed")).to_have_count(1)


def test_editor_writes_previews_schedules_compares_restores_pins(live_server, page_at, artifacts):
    EditorFactory(username="marta", email="marta@example.org")
    source = SourceFactory(name="Cape Gazette", slug="cape-gazette")
    Image.objects.create(
        file=image_upload("lamp-room.jpg", size=(1600, 1000)),
        title="Lamp room",
        alt_text="The lamp room at dusk",
        credit="Demo studio",
    )
    Image.objects.create(file=image_upload("other.jpg"), title="Council chamber", alt_text="x")
    # Something newer than our article, so the pin (not recency) makes it the lead.
    ArticleFactory(title="Ferry strike ends", source=source)

    page = page_at(1280)
    _login(page, live_server.url)
    page.goto(live_server.url + "/admin/articles/article/add/")
    expect(page.locator("#site-name")).not_to_contain_text("Django administration")
    _write(page, artifacts)
    page.select_option("#id_source", label="Cape Gazette")
    page.select_option("#id_status", "published")
    # Scheduled a little ahead, so the test can watch it appear on time.
    when = timezone.localtime() + timezone.timedelta(seconds=40)
    page.fill("#id_published_at_0", when.strftime("%Y-%m-%d"))
    page.fill("#id_published_at_1", when.strftime("%H:%M:%S"))
    expect(page.locator("#id_title-count")).to_contain_text(f"{len(TITLE)} / 90")
    _shot(page, artifacts, "write")

    # Preview before the first save: a new tab with the page as readers will get it.
    with page.expect_popup() as preview_info:
        page.click("button.preview-button")
    preview = preview_info.value
    preview.wait_for_load_state()
    banner = preview.locator(".preview-banner")
    expect(banner).to_contain_text("Scheduled for")
    expect(banner).to_contain_text("(UTC)")
    expect(preview.locator(".article__body picture img")).to_have_count(1)
    assert preview.locator(".article__body picture img").evaluate(
        "i => i.complete && i.naturalWidth > 0"
    )
    expect(preview.locator(".embed-card")).to_contain_text("example.org")
    _shot(preview, artifacts, "preview")
    preview.close()
    assert not Article.objects.filter(title=TITLE).exists()

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(title=TITLE)
    assert article.is_scheduled and article.body_images.count() == 1

    # A second version, then the diff between the two.
    page.fill("#id_title", TITLE + " this spring")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.get_by_role("link", name="Compare with the one before…").first.click()
    expect(page.locator(".diff-field").first).to_contain_text("this")
    expect(page.locator("h1")).to_contain_text("Changes to")
    _shot(page, artifacts, "diff")

    # Restore the first version (a new revision).
    page.get_by_role("link", name="Restore the older version…").click()
    page.get_by_role("button", name="Yes, restore this version").click()
    expect(page.locator(".messagelist")).to_contain_text("Restored the version of")
    article.refresh_from_db()
    assert article.title == TITLE
    assert ArticleRevision.objects.filter(article=article).count() == 3
    _shot(page, artifacts, "restored")

    # Pin it as the home lead from the article list (columns readable at 1280 px).
    page.goto(live_server.url + "/admin/articles/article/")
    row = page.locator("#result_list tbody tr", has_text=TITLE)
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "pin_home_lead")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("leads the home page")
    assert Pin.objects.get().article == article
    title_cell = row.locator("th, td.field-title").first.bounding_box()
    assert title_cell["height"] < 80, "the title wraps to many lines"
    expect(row).to_contain_text("Scheduled")
    expect(row).to_contain_text("UTC")
    assert_no_horizontal_scroll(page)
    _shot(page, artifacts, "list")
    # The source list's fetch columns fit too.
    page.goto(live_server.url + "/admin/articles/source/")
    expect(page.locator("#result_list thead")).to_contain_text("Feed status")
    assert_no_horizontal_scroll(page)
    _shot(page, artifacts, "sources")

    # Readers: nothing before the time, the lead once it has come.
    reader = page_at(1280)
    reader.goto(live_server.url + "/")
    expect(reader.locator(".lead-story")).not_to_contain_text(TITLE)
    wait = (article.published_at - timezone.now()).total_seconds()
    assert wait < 40
    time.sleep(max(0.0, wait) + 1)
    reader.goto(live_server.url + "/")
    expect(reader.locator(".lead-story")).to_contain_text(TITLE)
    _shot(reader, artifacts, "home-lead")
    assert _axe(reader) == []
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.locator(".preview-banner")).to_have_count(0)
    expect(reader.locator(".article__body picture source[type='image/webp']")).to_have_count(1)
    expect(reader.locator(".embed-card")).to_contain_text("example.org")
    assert_no_horizontal_scroll(reader)
    _shot(reader, artifacts, "published")
    assert _axe(reader) == []


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
    _shot(again, artifacts, "autosave-notice")
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
    assert _axe(page) == []
    page.goto(live_server.url + pinned.get_absolute_url())
    expect(page.locator(".article__body picture")).to_have_count(1)
    expect(page.locator(".embed-card")).to_contain_text("example.org")
    assert_no_horizontal_scroll(page)
    _shot_at(page, artifacts, "article-card", width)
    assert _axe(page) == []


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
