"""Playwright driving Debian's chromium against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import axe_playwright_python
import pytest

from tests.factories import PASSWORD

# Debian's chromium-headless-shell (the same Chromium build without the browser's windows
# and UI) when installed: the browser tests took 157 CPU-seconds with it against 265-317
# with /usr/bin/chromium's new headless mode (cgroup-measured, tests/browser -n 0); a
# context with its first page 0.13 against 0.46. Otherwise /usr/bin/chromium.
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or (
    HEADLESS_SHELL if Path(HEADLESS_SHELL).exists() else "/usr/bin/chromium"
)
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
        pytest.fail(
            f"Debian's chromium is not installed at {CHROMIUM}"
            " (apt-get install chromium-headless-shell, or chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _Contexts:
    """Browser contexts kept for the whole session (one worker's), handed out to the tests
    in turn. Measured in a cgroup (Chromium's renderers escape /proc's accounting): a new
    context with its first page costs about 1 CPU-second (a network context, a storage
    partition, a window with its browser-UI renderer and the page's renderer), a new page
    in a context that has one open about 0.3; the suite opened about 85 contexts. Each
    context keeps a blank page open all session, so that its window machinery stays.

    The n-th page a test opens gets the n-th context, so two pages of one test are still
    two visitors with their own cookies. Nothing a test leaves stays: its pages are closed
    and the cookies cleared before and after it (the site keeps nothing in the browser's
    storage; cached static files and pages revalidated by their ETag are all another test
    can find)."""

    def __init__(self, chromium):
        self.chromium, self.pool, self.keepers = chromium, [], []

    def take(self, n: int):
        while len(self.pool) <= n:
            context = self.chromium.new_context(viewport={"width": 1280, "height": 900})
            self.pool.append(context)
            self.keepers.append(context.new_page())
        context = self.pool[n]
        context.clear_cookies()
        return context

    def tidy(self, context) -> None:
        for page in context.pages:
            if page not in self.keepers:
                page.close()
        context.clear_cookies()

    def close(self) -> None:
        for context in self.pool:
            context.close()


@pytest.fixture(scope="session")
def _contexts(chromium):
    contexts = _Contexts(chromium)
    yield contexts
    contexts.close()


@pytest.fixture
def page_at(_contexts):
    """page_at(width, scheme="light") opens a page at that viewport width and colour scheme,
    in a browser context of its own within the test (its own cookies: a second call is a
    second visitor). Pages of the same visitor: `page.context.new_page()`."""
    used = []

    def open_page(width: int, height: int = 900, scheme: str = "light"):
        context = _contexts.take(len(used))
        used.append(context)
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.emulate_media(color_scheme=scheme)
        return page

    yield open_page
    for context in used:
        _contexts.tidy(context)


def sign_in_with_cookie(page, live_server, user) -> None:
    """Sign `user` in for `page`'s context with a session made by Django's test client
    (for tests about what a signed-in visitor sees, not about logging in)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": live_server.url}]
    )


AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
# The dark theme changes site.css's colour custom properties and nothing else (static/css/
# site.css, `prefers-color-scheme: dark`): what axe can find different in it is a colour.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def axe_violations(page, *, include: list | None = None, colours_only: bool = False) -> list:
    """axe-core's violations on the page as it is now, one line each. axe is injected once
    per document. `include`: CSS selectors to check only those parts; `colours_only`: only
    the rules a change of colours can affect (for a page already checked in full in the
    light theme, shown again in the dark one)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    options = {"resultTypes": ["violations"]}
    if colours_only:
        options["runOnly"] = {"type": "rule", "values": COLOUR_RULES}
    context = {"include": [[selector] for selector in include]} if include else None
    # Only the violations leave the page: axe's whole result (every rule's description,
    # tags and help URL, passed or not) is about 45 kB to serialise through Playwright.
    found = page.evaluate(
        """([context, options]) => axe.run(context || document, options).then(r =>
            r.violations.map(v => [v.id, v.help, v.nodes.slice(0, 3).map(n => n.target)]))""",
        [context, options],
    )
    return [f"{rule}: {help} -> {targets}" for rule, help, targets in found]


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


def assert_image_loaded(img) -> None:
    """The image shows: scrolled into view (body images load lazily), then waited for,
    since the page's load event does not wait for a lazy image."""
    img.scroll_into_view_if_needed()
    loaded = img.evaluate(
        """i => (i.complete && i.naturalWidth > 0) || new Promise(done => {
            i.addEventListener("load", () => done(i.naturalWidth > 0), {once: true});
            i.addEventListener("error", () => done(false), {once: true});
            setTimeout(() => done(i.complete && i.naturalWidth > 0), 10000);
        })"""
    )
    assert loaded, f"image {img} did not load"


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
