"""The editors' desk at 1280 px: write with the rich text editor (a library picture and a
link card inside), preview before saving, schedule, compare two revisions, restore one,
pin the article as the home lead and see it published on time; axe on the reader pages.

The desk's journey is four tests that each stand alone (an xdist worker can take any of
them): the rows a step needs from the one before are made directly."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles import publishing
from articles.library import Image
from articles.models import Article, ArticleRevision, Pin
from tests.browser.conftest import (
    assert_image_loaded,
    assert_no_horizontal_scroll,
    axe_violations,
    sign_in_to_admin,
)
from tests.factories import ArticleFactory, EditorFactory, SourceFactory, image_upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Lighthouse keepers hand over to volunteers"
SUMMARY = "The last two keepers retire; a volunteer crew takes the lamp."
# How far ahead the reader's test schedules the article: time enough to see the home page
# without it first, and no more, since the test then waits for that moment.
LEAD_SECONDS = 6


def _shot(page, artifacts, name, *, full_page=True):
    page.screenshot(path=str(artifacts / f"desk-{name}-1280.png"), full_page=full_page)


def _login(page, url):
    sign_in_to_admin(page, url, "marta")


def _lamp_room() -> Image:
    return Image.objects.create(
        file=image_upload("lamp-room.jpg", size=(1600, 1000)),
        title="Lamp room",
        alt_text="The lamp room at dusk",
        credit="Demo studio",
    )


def _write(page, artifacts):
    """Type the body with the editor's menu: heading, text, a library picture, a card."""
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", SUMMARY)
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


def test_editor_writes_previews_and_schedules(live_server, page_at, artifacts):
    EditorFactory(username="marta", email="marta@example.org")
    SourceFactory(name="Cape Gazette", slug="cape-gazette")
    _lamp_room()
    Image.objects.create(file=image_upload("other.jpg"), title="Council chamber", alt_text="x")

    page = page_at(1280)
    _login(page, live_server.url)
    page.goto(live_server.url + "/admin/articles/article/add/")
    expect(page.locator("#site-name")).not_to_contain_text("Django administration")
    _write(page, artifacts)
    page.select_option("#id_source", label="Cape Gazette")
    page.select_option("#id_status", "published")
    when = (timezone.localtime() + timedelta(hours=2)).replace(microsecond=0)
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
    assert_image_loaded(preview.locator(".article__body picture img"))
    expect(preview.locator(".embed-card")).to_contain_text("example.org")
    _shot(preview, artifacts, "preview")
    preview.close()
    assert not Article.objects.filter(title=TITLE).exists()

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(title=TITLE)
    assert article.is_scheduled and article.body_images.count() == 1
    # The time the editor typed, in the site's time zone, is the moment it goes out.
    assert article.published_at == when
    assert ArticleRevision.objects.filter(article=article).count() == 1


def test_editor_compares_two_versions_and_restores_the_first(live_server, page_at, artifacts):
    editor = EditorFactory(username="marta", email="marta@example.org")
    article = ArticleFactory(title=TITLE, published_at=timezone.now() + timedelta(hours=2))
    publishing.record(article=article, author=editor, changed_fields=["title", "body"])

    page = page_at(1280)
    _login(page, live_server.url)
    page.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
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
    # The message and the restored title are at the top; the rest of the long form adds
    # nothing to what this step shows.
    _shot(page, artifacts, "restored", full_page=False)


def test_editor_pins_a_scheduled_article_as_the_home_lead(live_server, page_at, artifacts):
    EditorFactory(username="marta", email="marta@example.org")
    source = SourceFactory(name="Cape Gazette", slug="cape-gazette")
    article = ArticleFactory(
        title=TITLE,
        summary=SUMMARY,  # another event than the factory's: two stories, not one
        source=source,
        published_at=timezone.now() + timedelta(hours=2),
    )
    assert article.is_scheduled
    # Something newer than our article, so the pin (not recency) makes it the lead.
    ArticleFactory(title="Ferry strike ends", source=source)

    page = page_at(1280)
    _login(page, live_server.url)
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


def test_the_pinned_article_leads_the_home_page_when_its_time_comes(
    live_server, page_at, artifacts
):
    """No write at publication time: the home page, cached until the scheduled moment,
    shows the pinned article once it has come (serving/cache.py)."""
    source = SourceFactory(name="Cape Gazette", slug="cape-gazette")
    picture = _lamp_room()
    ArticleFactory(title="Ferry strike ends", source=source)
    reader = page_at(1280)
    reader.goto(live_server.url + "/")  # the browser has the styles, the server its templates

    body = (
        "<p>After forty years the lamp passes to the harbour volunteers.</p>"
        f'<figure class="figure"><img src="{picture.largest_url}" alt="The lamp room at dusk"'
        f' data-file="{picture.pk}"></figure>'
        '<div class="embed"><a href="https://www.example.org/keepers-log">log</a></div>'
    )
    article = ArticleFactory(
        title=TITLE,
        summary=SUMMARY,  # another event than the factory's: two stories, not one
        source=source,
        body=body,
        published_at=timezone.now() + timedelta(seconds=LEAD_SECONDS),
    )
    Pin.objects.create(article=article, topic=None)

    # Readers: nothing before the time, the lead once it has come.
    reader.goto(live_server.url + "/")
    expect(reader.locator(".lead-story")).not_to_contain_text(TITLE)
    wait = (article.published_at - timezone.now()).total_seconds()
    assert wait > 0, "the page was read after the publication time: it proves nothing"
    time.sleep(wait + 1)
    reader.goto(live_server.url + "/")
    expect(reader.locator(".lead-story")).to_contain_text(TITLE)
    _shot(reader, artifacts, "home-lead")
    assert axe_violations(reader) == []
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.locator(".preview-banner")).to_have_count(0)
    expect(reader.locator(".article__body picture source[type='image/webp']")).to_have_count(1)
    expect(reader.locator(".embed-card")).to_contain_text("example.org")
    assert_no_horizontal_scroll(reader)
    _shot(reader, artifacts, "published")
    assert axe_violations(reader) == []
