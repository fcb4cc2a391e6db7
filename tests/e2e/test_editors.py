"""An editor through Varnish: upload a picture (stored in S3), publish; readers see it on
home within 2 s; withdrawn, it leaves every page listing it within 2 s."""

from __future__ import annotations

import time

from tests.browser.conftest import fill_quay_article, sign_in_to_admin
from tests.e2e.http import anonymous_get, shows_within
from tests.factories import image_bytes
from tests.s3 import BUCKET

TITLE = "New quay lights switched on"
# Search marks the words it found: "brighter" is only in the body, so the title stays whole.
LISTINGS = ["/", "/sources/harbour-ledger/", "/feeds/latest.rss", "/search/?q=brighter"]


def _held_by_varnish(stack, path: str) -> None:
    anonymous_get(stack.url, path)
    assert anonymous_get(stack.url, path).headers["X-Cache"] == "HIT", path


def test_an_editor_publishes_with_a_picture_then_withdraws(stack, new_page, tmp_path):
    for path in LISTINGS:
        _held_by_varnish(stack, path)  # so only a purge can make the change show
    photo = tmp_path / "quay.jpg"
    photo.write_bytes(image_bytes("JPEG", (1600, 900), (40, 110, 170)))
    page = new_page()
    sign_in_to_admin(page, stack.url, "ines")
    fill_quay_article(page, stack.url, title=TITLE, photo=photo)
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert "was added successfully" in page.locator(".messagelist").inner_text()

    for path in LISTINGS:
        shows_within(stack.url, path, TITLE, seconds=2)
    reader = new_page()
    reader.goto(stack.url + "/")
    reader.get_by_role("link", name=TITLE).first.click()
    # The worker makes the renditions (AVIF, WebP, JPEG) in the background; the page
    # shows the picture once they are in the bucket (their write purges the page).
    picture = reader.locator('img[alt="Lamps along the quay at dusk"]').first
    deadline = time.monotonic() + 90
    while not picture.count():
        assert time.monotonic() < deadline, "the picture never appeared on the article page"
        time.sleep(0.5)
        reader.reload()
    assert picture.evaluate("i => i.complete && i.naturalWidth > 0")
    assert picture.evaluate("i => i.currentSrc").startswith(f"{stack.s3.url}/{BUCKET}/")
    assert stack.s3.keys(), "nothing was stored in S3"

    page.goto(stack.url + "/admin/articles/article/")
    page.get_by_role("link", name=TITLE).click()
    page.select_option("#id_status", "withdrawn")
    with page.expect_navigation():
        page.click("input[name=_save]")
    for path in LISTINGS:
        shows_within(stack.url, path, TITLE, seconds=2, present=False)
