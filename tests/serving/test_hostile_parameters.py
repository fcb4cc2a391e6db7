"""Every URL the site has, every query parameter and form field it shows, sent the
characters that used to give 500s: as an anonymous visitor, a reader and staff.

URL patterns are enumerated from the resolver (and the admin from its registry), each
filled with real objects; each page's links and forms say which parameters and fields it
reads. Each is then sent NUL, non-ASCII digits, a 5,000-digit number and one too big for
the database. Any answer is fine except a 500.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from comments import services
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    ConfirmedReaderFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = ["1\x00", "²", "9" * 5000, "99999999999999999999999"]
# The admin's forms are Django model forms, which clean every field whatever the others
# hold: one request per value with every field hostile covers them (per field would be
# thousands of requests).
ADMIN_HOSTILE = ["1\x00", "99999999999999999999999"]
# Read by views without showing up in a link on every page (e.g. only after a search).
COMMON_PARAMS = {"page", "q", "next"}
# Forms that would end the session or delete what the rest of the test needs.
SKIP_ACTIONS = ("/logout/", "/delete/", "/accounts/delete/")


class _Page(HTMLParser):
    """The query parameter names in links and the forms (method, action, fields)."""

    def __init__(self):
        super().__init__()
        self.params: set[str] = set()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.params.update(k for k, _ in parse_qsl(urlsplit(a["href"]).query, True))
        elif tag == "form":
            self.forms.append(
                {
                    "method": (a.get("method") or "get").lower(),
                    "action": a.get("action") or "",
                    "fields": {},
                }
            )
        elif self.forms and tag in {"input", "textarea", "select"} and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind == "file" or (kind in {"checkbox", "radio"} and "checked" not in a):
                if kind == "radio":
                    self.forms[-1]["fields"].setdefault(a["name"], a.get("value", ""))
                return
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._select and self.forms:
            fields = self.forms[-1]["fields"]
            if not fields.get(self._select):
                fields[self._select] = a.get("value", "")


def _patterns(resolvers, prefix_ns=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # the admin is walked through its registry below
            ns = f"{prefix_ns}{entry.namespace}:" if entry.namespace else prefix_ns
            yield from _patterns(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix_ns}{entry.name}", list(entry.pattern.regex.groupindex)


@pytest.fixture
def world(settings):
    source, topic = SourceFactory(), TopicFactory()
    article = ArticleFactory(source=source)
    article.topics.add(topic)
    reader = ConfirmedReaderFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)
    comment = CommentFactory(article=article, status="approved")
    ban = services.ban_user(
        user=ConfirmedReaderFactory(), moderator=staff, until=None, reason="Spam"
    )
    candidates = {
        "slug": [article.slug, source.slug, topic.slug],
        "pk": [comment.pk, reader.pk],
        "user_id": [reader.pk],
        "ban_id": [ban.pk],
        "section": ["articles", "sources", "topics", "pages"],
        "page": ["about"],
        "key": ["nonsense"],
        "uidb36": ["1"],
    }
    return {"reader": reader, "staff": staff, "candidates": candidates, "comment": comment}


def _urls(world) -> list[str]:
    urls = []
    for name, kwargs in _patterns(get_resolver().url_patterns):
        if "path" in kwargs:
            continue  # media files
        options = [{}]
        for kw in kwargs:
            options = [{**o, kw: v} for o in options for v in world["candidates"].get(kw, [])]
        for values in options:
            try:
                urls.append(reverse(name, kwargs=values or None))
            except NoReverseMatch:
                continue
    for model, _ in admin.site._registry.items():
        label = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{label}_changelist"), reverse(f"{label}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{label}_change", args=[first.pk]))
    urls.append(reverse("admin:index"))
    return sorted(set(urls))


def _check(client: Client, failures: list, method: str, url: str, data: dict) -> None:
    response = getattr(client, method)(url, data)
    if response.status_code >= 500:
        shown = {k: (v[:20] + "…" if len(v) > 20 else v) for k, v in data.items()}
        failures.append(f"{method.upper()} {url} {shown!r} -> {response.status_code}")


def _fuzz_page(client, failures, url, response, done: set) -> None:
    """Fuzz what this page reads, except what an earlier role already tried on the same
    address (the same parameter, or a form with the same fields): a reader's home page
    reads `page` as the anonymous one does."""
    page = _Page()
    if "html" in response.get("Content-Type", ""):
        page.feed(response.content.decode(errors="replace"))
    in_admin = url.startswith("/admin/")
    values = ADMIN_HOSTILE if in_admin else HOSTILE
    for name in page.params | COMMON_PARAMS:
        if ("get", url, name) in done:
            continue
        done.add(("get", url, name))
        for value in values:
            _check(client, failures, "get", url, {name: value})
    for form in page.forms:
        action = form["action"] or url
        if action.startswith(("http", "//")) or any(s in action for s in SKIP_ACTIONS):
            continue
        method = "post" if form["method"] == "post" else "get"
        fields = {k: v for k, v in form["fields"].items() if k != "csrfmiddlewaretoken"}
        if (method, action, *sorted(fields)) in done:
            continue
        done.add((method, action, *sorted(fields)))
        for value in values:
            if in_admin:
                _check(client, failures, method, action, dict.fromkeys(fields, value))
                continue
            for field in fields:
                _check(client, failures, method, action, {**fields, field: value})


def test_no_parameter_or_field_gives_a_500(world):
    """The site's pages; the admin's: test_hostile_parameters_admin.py (a file of its own,
    so that another xdist worker sweeps it)."""
    sweep(world, admin=False)


def sweep(world, *, admin: bool) -> None:
    """As an anonymous visitor, then a reader, then staff, over the admin's addresses or
    every other: each role fuzzes what the roles before it could not reach (pages,
    parameters and forms only it is shown)."""
    failures: list[str] = []
    done: set[tuple] = set()
    urls = [url for url in _urls(world) if url.startswith("/admin/") == admin]
    assert urls
    for role in ("anonymous", "reader", "staff"):
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(world[role])
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, f"{role}: GET {url} -> {response.status_code}"
            if response.status_code != 200:
                continue  # a redirect, 403, 404 or 405 reads no parameters
            _fuzz_page(client, failures, url, response, done)
            if role != "anonymous" and "_auth_user_id" not in client.session:
                client.force_login(world[role])  # a form (password change) signed us out
    assert not failures, "\n".join(failures[:40])
