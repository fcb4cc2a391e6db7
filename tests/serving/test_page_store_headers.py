"""A page-cache hit's headers, checked once per process, and the conditional GET that
passes a response straight back: both pinned against what Django itself does."""

import itertools

import pytest
from django.http import HttpResponse
from django.http.response import BadHeaderError
from django.middleware.http import ConditionalGetMiddleware as DjangoConditionalGet
from django.test import RequestFactory
from django.urls import reverse

from serving import page_store
from serving.middleware import ConditionalGetMiddleware
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _long_page_cache(settings):
    settings.PAGE_CACHE_TIMEOUT = 600


def _entry(**headers) -> dict:
    return {
        "tags": {"article:7": 3, "topic:café": 5},
        "fresh_until": 4e9,
        "status": 200,
        "content": "Größe: ☃".encode(),
        "headers": {"Content-Type": "text/html; charset=utf-8", "ETag": '"e1"', **headers},
        "cache_control": "",
    }


def _as_django_builds_it(entry: dict, state: str) -> HttpResponse:
    """The response as Django builds it header by header (the page cache's way before
    its headers were checked once)."""
    return HttpResponse(
        entry["content"],
        status=entry["status"],
        headers={
            **entry["headers"],
            "Content-Length": str(len(entry["content"])),
            "X-Page-Cache": state,
            **page_store.shared_headers(entry, stale=state == "stale"),
        },
    )


@pytest.mark.parametrize("state", ["hit", "stale", "refill"])
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"Last-Modified": "Mon, 07 Dec 2026 15:00:00 GMT", "Content-Language": "fr"},
        {"Content-Language": "café"},  # Latin-1
        {"Content-Language": "☃"},  # MIME-encoded by Django
    ],
)
def test_a_rebuilt_page_has_the_headers_django_would_give_it(state, extra):
    entry = _entry(**extra)
    expected = _as_django_builds_it(entry, state)
    for _ in range(2):  # the first rebuild checks the headers, the second reuses them
        response = page_store.rebuild(entry, state, count=False)
        assert sorted(response.items()) == sorted(expected.items())
        for name, value in expected.items():  # found whatever the case asked
            assert response.headers[name.upper()] == response[name.lower()] == value
        assert response.status_code == expected.status_code
        assert response.content == expected.content
        assert response.charset == expected.charset == "utf-8"
    assert "checked" in entry


def test_a_stored_header_that_could_split_a_response_is_still_refused():
    with pytest.raises(BadHeaderError):
        page_store.rebuild(_entry(**{"Content-Language": "en\r\nSet-Cookie: x=1"}), "hit")


def test_headers_set_after_a_rebuild_go_through_djangos_checks_as_ever():
    response = page_store.rebuild(_entry(), "hit", count=False)
    response["X-Frame-Options"] = "DENY"
    assert response.headers["x-frame-options"] == "DENY"
    with pytest.raises(BadHeaderError):
        response["X-Bad"] = "a\nb"


REQUEST_HEADERS = {
    "If-Match": ['"e1"', '"other"', "*"],
    "If-None-Match": ['"e1"', 'W/"e1"', '"other"', "*"],
    "If-Modified-Since": ["Mon, 07 Dec 2026 15:00:00 GMT", "Sun, 06 Dec 2026 15:00:00 GMT"],
    "If-Unmodified-Since": ["Mon, 07 Dec 2026 15:00:00 GMT", "Sun, 06 Dec 2026 15:00:00 GMT"],
}


def _requests():
    """Every subset of the four conditional headers, each with each of its values."""
    names = list(REQUEST_HEADERS)
    for size in range(len(names) + 1):
        for chosen in itertools.combinations(names, size):
            for values in itertools.product(*(REQUEST_HEADERS[n] for n in chosen)):
                yield dict(zip(chosen, values, strict=True))


def _response(etag: bool, last_modified: bool, cache_control: str) -> HttpResponse:
    response = HttpResponse(b"page")
    if etag:
        response["ETag"] = '"e1"'
    if last_modified:
        response["Last-Modified"] = "Mon, 07 Dec 2026 15:00:00 GMT"
    if cache_control:
        response["Cache-Control"] = cache_control
    return response


def test_conditional_get_answers_as_djangos_on_every_combination():
    rf = RequestFactory()
    compared = 0
    for method, headers in itertools.product(("get", "head", "post"), _requests()):
        for etag, last_modified, cc in itertools.product(
            (True, False), (True, False), ("", "no-store")
        ):
            answers = []
            for middleware in (ConditionalGetMiddleware, DjangoConditionalGet):
                request = getattr(rf, method)("/", headers=headers)
                response = _response(etag, last_modified, cc)
                chain = middleware(lambda r, response=response: response)
                answer = chain(request)
                answers.append((answer.status_code, sorted(answer.items()), answer.content))
            assert answers[0] == answers[1], (method, headers, etag, last_modified, cc)
            compared += 1
    assert compared > 1000


def test_a_cache_hit_still_answers_not_modified(client):
    article = ArticleFactory()
    url = reverse("articles:detail", kwargs={"slug": article.slug})
    first = client.get(url)
    hit = client.get(url)
    assert hit["X-Page-Cache"] == "hit"
    assert hit["ETag"] == first["ETag"]
    again = client.get(url, headers={"If-None-Match": hit["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    changed = client.get(url, headers={"If-None-Match": '"not-this-page"'})
    assert changed.status_code == 200
    assert changed.content == hit.content
