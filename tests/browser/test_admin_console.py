"""Every admin page loads in Chromium without a console error (issue 33, point 3): no
Content-Security-Policy violation (no inline style or script without the nonce), no
missing file (the favicon included), no script error. Changelist, add and change page
of every registered model, with the demo's data."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from tests.browser.conftest import sign_in_with_cookie
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("demo_renditions_at_one_width"),
]


def _admin_urls(user) -> list[str]:
    """The index, then each registered model's changelist, add page (where the admin
    offers one) and the change page of its first row."""
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index"), reverse("admin:stories_incoming")]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    return urls


class Settled:
    """Waits until a page has loaded and has had no request in flight for QUIET_MS (what
    its scripts start after the load included). Playwright's "networkidle" asks for 500 ms
    of quiet after every page: half a minute over the admin's 60-odd pages. One wait of
    QUIET_MS in which no request started or was in flight ends it (polling every 25 ms
    made four round trips to the browser a page)."""

    QUIET_MS = 100

    def __init__(self, page):
        self.page, self.in_flight, self.started = page, set(), 0
        page.on("request", self._started)
        page.on("requestfinished", lambda request: self.in_flight.discard(request))
        page.on("requestfailed", lambda request: self.in_flight.discard(request))

    def _started(self, request) -> None:
        self.started += 1
        self.in_flight.add(request)

    def goto(self, url: str):
        response = self.page.goto(url, wait_until="load")
        waited = 0
        while True:
            assert waited < 30_000, f"{url}: requests still in flight: {self.in_flight}"
            started, was_quiet = self.started, not self.in_flight
            self.page.wait_for_timeout(self.QUIET_MS)
            waited += self.QUIET_MS
            if was_quiet and not self.in_flight and self.started == started:
                return response


def test_every_admin_page_loads_without_console_errors(live_server, page_at):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_comments", verbosity=0)
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    urls = _admin_urls(user)
    assert len(urls) > 40  # every registered model, not a handful
    page = page_at(1280)
    sign_in_with_cookie(page, live_server, user)
    settled = Settled(page)
    errors: list[str] = []
    where = {"url": ""}
    page.on("console", lambda m: m.type == "error" and errors.append(f"{where['url']}: {m.text}"))
    page.on("pageerror", lambda e: errors.append(f"{where['url']}: {e}"))
    for url in urls:
        where["url"] = url
        response = settled.goto(live_server.url + url)
        if response.status != 200 or "/login/" in page.url:
            errors.append(f"{url}: HTTP {response.status} at {page.url}")
    # The add-article page's editor, explicitly: it is where the inline style was.
    settled.goto(live_server.url + reverse("admin:articles_article_add"))
    page.locator(".prose-editor .ProseMirror[contenteditable=true]").wait_for()
    favicon = page.request.get(live_server.url + "/favicon.ico")
    assert favicon.status == 200
    assert errors == [], "\n".join(errors)
