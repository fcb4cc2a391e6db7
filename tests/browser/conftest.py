"""Playwright driving Debian's chromium against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (creating fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        # Never a skip: `make test` installs chromium, and a missing browser must be seen.
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_at(chromium):
    """page_at(width) opens a fresh browser context at that viewport width."""
    contexts = []

    def open_page(width: int, height: int = 900):
        context = chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def sign_in_to_admin(page, base_url: str, username: str) -> None:
    """Sign in on the admin's login page as a user made by tests.factories."""
    page.goto(base_url + "/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")


def fill_quay_article(page, base_url: str, *, title: str, photo: Path) -> None:
    """Write the editors' journey article in the admin's add form, published now with a
    lead picture from `photo` (the source "The Harbour Ledger" must exist); not saved."""
    page.goto(base_url + "/admin/articles/article/add/")
    page.fill("#id_title", title)
    page.fill("#id_summary", "The harbour's new lamps use a fifth of the old power.")
    page.locator(".prose-editor .ProseMirror[contenteditable=true]").click()
    page.keyboard.type("Fishing crews say the quay is brighter than ever.")
    page.set_input_files("#id_lead_image", str(photo))
    page.fill("#id_lead_image_alt", "Lamps along the quay at dusk")
    page.select_option("#id_source", label="The Harbour Ledger")
    page.select_option("#id_status", "published")


def assert_no_horizontal_scroll(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


@pytest.fixture(autouse=True)
def _groups_from_data_migrations(request):
    """Make the Editors, Moderators and Trusted readers groups again (idempotent).

    serialized_rollback does not always bring them back: after a non-transactional test, the
    connection Django sees inside Playwright's event loop is a fresh one without the
    serialized data, so the flush of the previous browser test leaves no groups.
    """
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("transactional_db")
    from tests.factories import ensure_staff_groups

    ensure_staff_groups()


@pytest.fixture(autouse=True)
def _site_url_is_the_live_server(request, settings):
    # Mailed links use SITE_URL's scheme and host (accounts/adapter.py), as in production:
    # here the site is the live server on its random port.
    if "live_server" in request.fixturenames:
        settings.SITE_URL = request.getfixturevalue("live_server").url
