"""The OpenAPI document validates, and the docs page needs nothing from another site."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_openapi_document_validates_and_names_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    paths = set(spec["paths"])
    assert {
        "/api/v1/articles",
        "/api/v1/articles/{slug}",
        "/api/v1/articles/{slug}/comments",
        "/api/v1/sources",
        "/api/v1/topics",
        "/api/v1/search",
        "/api/v1/comments/{pk}",
        "/api/v1/comments/{pk}/report",
        "/api/v1/me/comments",
        "/api/v1/stories",
        "/api/v1/stories/{slug}",
    } <= paths
    post = spec["paths"]["/api/v1/articles/{slug}/comments"]["post"]
    assert {"SessionTokenAuth", "CookieAuth"} <= {k for s in post["security"] for k in s}
    assert "429" in post["responses"]


def test_docs_page_loads_its_assets_from_this_site(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    # The CSP allows same-origin scripts only; the page has no inline script to run.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))", html)


def _shape(value):
    """The keys at every level (values differ in form only: datetime precision)."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__ if value is not None else None


def test_responses_match_the_documented_shapes(client, settings):
    """The views build plain dicts (so `fields=` can drop keys); hold them to the schemas."""
    from django.core.files.base import ContentFile

    from api import schemas
    from articles.models import Correction
    from comments.models import Status
    from tests.factories import (
        AgencyFactory,
        ArticleFactory,
        CommentFactory,
        TopicFactory,
        image_bytes,
    )

    article = ArticleFactory(slug="quay", agency=AgencyFactory(), topics=[TopicFactory()])
    article.lead_image.save("quay.jpg", ContentFile(image_bytes()))
    Correction.objects.create(article=article, text="A date was wrong.")
    root = CommentFactory(article=article)
    CommentFactory(article=article, parent=root, status=Status.REMOVED)

    checks = {
        "/api/v1/articles": schemas.ArticlePage,
        "/api/v1/articles/quay": schemas.ArticleDetail,
        "/api/v1/search?q=harbour": schemas.SearchPage,
        "/api/v1/articles/quay/comments": schemas.CommentThreads,
    }
    for url, schema in checks.items():
        body = client.get(url).json()
        documented = schema.model_validate(body).model_dump(mode="json")
        assert _shape(documented) == _shape(body), url
    for url, schema in (("/api/v1/sources", schemas.Source), ("/api/v1/topics", schemas.Topic)):
        for item in client.get(url).json():
            schema.model_validate(item)


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, op


def test_every_error_is_documented_as_problem_json_with_its_codes(client):
    # Issue 28: errors answered application/problem+json where the schema said
    # application/json, and business-rule 400s were not in the schema at all.
    spec = client.get("/api/v1/openapi.json").json()
    for path, method, op in _operations(spec):
        errors = {s: r for s, r in op["responses"].items() if int(s) >= 400}
        assert "429" in errors, (path, method)
        for status, response in errors.items():
            assert list(response["content"]) == ["application/problem+json"], (path, status)

    def codes(path, method, status):
        schema = spec["paths"][path][method]["responses"][status]["content"]
        schema = schema["application/problem+json"]["schema"]
        return set(schema["allOf"][1]["properties"]["code"]["enum"])

    assert {"invalid_cursor", "unknown_field"} <= codes("/api/v1/articles", "get", "400")
    post = "/api/v1/articles/{slug}/comments"
    body_codes = {"too_short", "too_long", "invalid_unicode", "invalid_body"}
    assert body_codes <= codes(post, "post", "400")
    assert "already_reported" in codes("/api/v1/comments/{pk}/report", "post", "400")
    assert "413" in spec["paths"][post]["post"]["responses"]


@pytest.mark.parametrize("value", ["0.5", "1700000000", "-1", "1e9", "yesterday"])
def test_published_before_takes_iso_8601_only(client, value):
    # Issue 28: `published_before=0.5` was read as a Unix time.
    response = client.get("/api/v1/articles", {"published_before": value})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_published_before_iso_8601_is_accepted(client):
    for value in ("2026-01-31T12:00:00Z", "2026-01-31T12:00:00+02:00", "2026-01-31"):
        assert client.get("/api/v1/articles", {"published_before": value}).status_code == 200


def _cursor(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 140,  # nested brackets: the RecursionError of issue 28, within the bound
        b'{"a": 1, "b": 2}',  # two keys unpack like a pair
        b'["2026-01-01T00:00:00+00:00", true]',  # a bool is an int to Python
        b'["2026-01-01T00:00:00+00:00", 99999999999999999999999]',  # past any id
        b'["2026-01-01T00:00:00", 3]',  # no time zone
        b"\xff\xfe",
    ],
)
def test_made_up_cursors_are_400s(client, raw):
    for path in ("/api/v1/articles", "/api/v1/stories"):
        response = client.get(path, {"cursor": _cursor(raw)})
        assert response.status_code == 400, (path, raw)
        assert response.json()["code"] == "invalid_cursor"


def test_a_cursor_longer_than_any_we_give_is_refused_before_decoding(client, settings):
    response = client.get("/api/v1/articles", {"cursor": _cursor(b"[" * 5000)})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
