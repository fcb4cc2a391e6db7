"""allauth's headless OpenAPI document (/_allauth/openapi.json and .yaml), built once.

allauth (65.x) builds it on every request: it parses its 100 KB openapi.yaml with PyYAML's
pure-Python loader and rewrites it for our settings, 0.3-0.5 CPU-seconds an answer (a
third of the hostile-parameter sweep's time; a cheap way to keep a worker busy). The
document depends only on the settings and the script prefix its paths are reversed
under, so each is built once per prefix and kept until a setting changes (tests). The
build is allauth's own `get_schema`, pinned in tests/test_library_seams.py.
"""

from __future__ import annotations

import json
from functools import cache

from allauth.headless.spec import views as spec
from allauth.headless.spec.internal.schema import get_schema
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix


@cache
def document(prefix: str, fmt: str) -> str:
    """The document for this script prefix, as JSON or YAML text."""
    if fmt == "yaml":
        import yaml

        return yaml.dump(get_schema(), Dumper=yaml.Dumper)
    return json.dumps(get_schema())


def _forget(**kwargs) -> None:
    document.cache_clear()


setting_changed.connect(_forget)


def _answer(fmt: str, content_type: str) -> HttpResponse:
    return HttpResponse(
        document(get_script_prefix(), fmt),
        content_type=content_type,
        headers={"Content-Disposition": f"inline; filename=allauth-openapi.{fmt}"},
    )


class OpenAPIYAMLView(spec.OpenAPIYAMLView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _answer("yaml", "application/vnd.oai.openapi")


class OpenAPIJSONView(spec.OpenAPIJSONView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _answer("json", "application/vnd.oai.openapi+json")
