"""A roomy editor (issue 33, point 3), at 375 and 1280 px: the body editor fills the
form's width and grows with the text; the live preview refreshes on autosave in the
site's article layout; a link stops at its end while typing; every toolbar icon renders;
the house is the default source; revisions compare as words."""

import pytest
from playwright.sync_api import expect

from articles.house import ensure_house
from articles.models import Article
from tests.browser.conftest import assert_no_horizontal_scroll, sign_in_to_admin
from tests.factories import EditorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EDITOR = ".prose-editor .ProseMirror[contenteditable=true]"


def _login(page, url):
    sign_in_to_admin(page, url, "ines")


def _icons_render(page) -> list[str]:
    """Menu buttons whose icon is not drawn: a Material Icons ligature is one glyph about
    24 px wide; a missing font shows the icon's name, a missing glyph a box character."""
    return page.evaluate(
        """async () => {
          await document.fonts.ready
          const bad = []
          for (const b of document.querySelectorAll('.prose-menubar__button.material-icons')) {
            if (b.offsetParent === null) continue
            const w = b.getBoundingClientRect().width
            if (w > 40) bad.push(`${b.title || b.textContent}: ${w}px wide`)
          }
          if (!document.fonts.check('24px "Material Icons"')) bad.push('font not loaded')
          for (const s of document.querySelectorAll('.prose-menubar__selected')) {
            const after = getComputedStyle(s, '::after').content
            if (after !== '""' && after !== 'none') bad.push(`dropdown arrow ${after}`)
          }
          return bad
        }"""
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_roomy_editor_with_live_preview(live_server, page_at, artifacts, width):
    EditorFactory(username="ines", email="ines@example.org")
    house = ensure_house()
    page = page_at(width)
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    _login(page, live_server.url)
    page.goto(live_server.url + "/admin/articles/article/add/")
    editor = page.locator(EDITOR)
    editor.wait_for()

    # The house is the default source.
    expect(page.locator("#id_source option:checked")).to_have_text(house.name)
    # The editor fills the form's width and starts roomy.
    row = page.locator(".form-row.field-body").bounding_box()
    box = editor.bounding_box()
    assert box["width"] >= row["width"] * 0.9, (box, row)
    assert box["height"] >= 300
    assert _icons_render(page) == []

    page.fill("#id_title", "Pier lamps relit after the storm")
    editor.click()
    page.keyboard.type("The harbour master relit the lamps.")
    # A link, then text typed right after it: the link stops at its end.
    page.keyboard.press("Shift+Home")
    page.locator(".prose-menubar__button[title='insert link']").click()
    page.locator("dialog[open] input[name=href]").fill("https://example.org/pier")
    page.locator("dialog[open]").get_by_role("button", name="Update").or_(
        page.locator("dialog[open]").get_by_role("button", name="Insert")
    ).first.click()
    expect(editor.locator("a")).to_have_count(1)
    # The dialog gone and the caret back in the text before the next keys: on a loaded
    # machine "End" once reached the closing dialog and the typing replaced the link.
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(editor).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" Plain words after it.")
    expect(editor.locator("a")).to_have_text("The harbour master relit the lamps.")
    page.locator(".field-body").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"editor-roomy-{width}.png"), full_page=False)
    # The editor grows with its text.
    before = editor.bounding_box()["height"]
    for n in range(30):
        page.keyboard.press("Enter")
        # One input event per paragraph (as a paste or a dictation), not one per key: the
        # typing of single keys is shown above, and 800 of them cost seconds of CPU.
        page.keyboard.insert_text(f"Paragraph {n} about the pier.")
    assert editor.bounding_box()["height"] > before

    # The live preview: the site's article page, refreshed when autosave keeps the text.
    toggle = page.locator(".live-preview__toggle")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    preview = page.frame_locator(".live-preview__frame")
    expect(preview.locator(".article__body")).to_contain_text("Paragraph 29", timeout=20_000)
    expect(preview.locator(".article__title")).to_have_text("Pier lamps relit after the storm")
    expect(preview.locator(".preview-banner")).to_contain_text("Not saved yet")
    assert not Article.objects.filter(title__startswith="Pier lamps").exists()
    page.locator(".live-preview").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"editor-live-preview-{width}.png"), full_page=False)
    assert_no_horizontal_scroll(page)

    # Saved under the house, changed, then compared as words.
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Article.objects.get(title__startswith="Pier lamps").source == house
    page.fill("#id_title", "Pier lamps relit after the winter storm")
    page.locator(EDITOR).click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("The ferry returns tomorrow.")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator(".field-changes").first).to_have_text("Title, Body")
    page.get_by_role("link", name="Compare with the one before…").first.click()
    expect(page.locator(".diff-differing")).to_contain_text("Title, Body")
    expect(page.locator(".diff-side--new ins").first).to_have_text("winter")
    expect(page.locator(".diff-side--new").nth(1)).to_contain_text("The ferry returns tomorrow.")
    page.screenshot(path=str(artifacts / f"editor-revisions-{width}.png"), full_page=True)
    assert_no_horizontal_scroll(page)
    assert errors == []
