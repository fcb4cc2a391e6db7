"""Every admin page loads in Chromium without a console error (issue 33, point 3): no
Content-Security-Policy violation (no inline style or script without the nonce), no
missing file (the favicon included), no script error. Changelist, add and change page
of every registered model, with the demo's data."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
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


def _login_cookie(live_server, user) -> dict:
    client = Client()
    client.force_login(user)
    host = live_server.url.split("://", 1)[1].split(":")[0]
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "domain": host, "path": "/"}


def test_every_admin_page_loads_without_console_errors(live_server, chromium, artifacts):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_comments", verbosity=0)
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    urls = _admin_urls(user)
    assert len(urls) > 40  # every registered model, not a handful
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([_login_cookie(live_server, user)])
    page = context.new_page()
    errors: list[str] = []
    where = {"url": ""}
    page.on("console", lambda m: m.type == "error" and errors.append(f"{where['url']}: {m.text}"))
    page.on("pageerror", lambda e: errors.append(f"{where['url']}: {e}"))
    try:
        for url in urls:
            where["url"] = url
            response = page.goto(live_server.url + url, wait_until="networkidle")
            if response.status != 200 or "/login/" in page.url:
                errors.append(f"{url}: HTTP {response.status} at {page.url}")
        # The add-article page's editor, explicitly: it is where the inline style was.
        page.goto(live_server.url + reverse("admin:articles_article_add"), wait_until="networkidle")
        page.locator(".prose-editor .ProseMirror[contenteditable=true]").wait_for()
        favicon = page.request.get(live_server.url + "/favicon.ico")
        assert favicon.status == 200
    finally:
        context.close()
    assert errors == [], "\n".join(errors)
