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
