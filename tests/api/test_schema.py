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
