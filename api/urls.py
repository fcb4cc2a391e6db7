"""The API, version 1, at /api/v1/: one NinjaAPI, its routers, and problem+json errors.

`/api/v1/` never changes meaning once released: a breaking change is a new NinjaAPI
(`v2`) beside this one.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest
from django.urls import path
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import PathView
from ninja.parser import Parser

from . import comments, content, following, stories
from .openapi import document_errors
from .problems import problem
from .responses import ApiError


class BodyNotAnObject(ValueError):
    pass


class ObjectParser(Parser):
    """Every request body of this API is a JSON object: `[null, null]` is not a report
    with its fields left out, it is a 400 (ninja's schemas would read any value's
    missing attributes as defaults)."""

    def parse_body(self, request: HttpRequest):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise BodyNotAnObject("not an object")
        return data


class Api(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The generated document, with errors as they are answered (api/openapi.py)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)


api = Api(
    title="Newsroom API",
    version="1",
    description=(
        "Articles, sources, topics, search, stories, comments and what a reader follows. "
        "Sign in through "
        "/_allauth/app/v1/ (django-allauth headless) and send the session token as "
        "X-Session-Token. Errors are RFC 9457 problem details. See docs/api.md."
    ),
    urls_namespace="api-v1",
    # The bundled Swagger UI files (static/ninja/), not a CDN: the site's CSP allows
    # same-origin scripts and styles only. No validator badge: it would send the
    # document's address to validator.swagger.io from every public host.
    docs=Swagger(settings={"persistAuthorization": False, "validatorUrl": None}),
    parser=ObjectParser(),
)
api.add_router("", content.router)
api.add_router("", comments.router)
api.add_router("", stories.router)
api.add_router("", following.router)


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, exc: ApiError):
    return problem(request, exc.status, exc.detail, code=exc.code, retry_after=exc.retry_after)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return problem(request, 422, "The request did not validate.", code="invalid", errors=errors)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError):
    response = problem(
        request, 401, "Sign in first: send the X-Session-Token header.", code="not_authenticated"
    )
    response["WWW-Authenticate"] = 'X-Session-Token realm="api"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    # A body that is not a JSON object (400), a failed CSRF check on a cookie request (403)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError):
        detail = "The request body must be a JSON object (UTF-8)."
        return problem(request, 400, detail, code="invalid_body")
    return problem(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return problem(request, 404, "There is nothing at this address.", code="not_found")


def expose_page_cache(patterns) -> None:
    """Let the page cache answer API hits before the session, CSRF and auth middleware.

    PageCacheMiddleware (serving.cache) serves a hit early only when the URL resolves to a
    view marked by `cache_for_anonymous`. ninja routes every method of a path through one
    view of its own and puts our decorator on the operation, so the mark is copied from
    the path's GET operation to that view (tests/api check every cached read gets it).
    Without it a hit ran the whole middleware stack: 66% of the static file's throughput."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            expose_page_cache(pattern.url_patterns)
            continue
        view = pattern.callback
        cells = [cell.cell_contents for cell in getattr(view, "__closure__", None) or ()]
        path_view = next((c for c in cells if isinstance(c, PathView)), None)
        if path_view is None:
            continue
        for operation in path_view.operations:
            if "GET" in operation.methods and getattr(operation.run, "page_cache", False):
                view.page_cache = True
                view.page_cache_query = operation.run.page_cache_query


urls = api.urls
expose_page_cache(urls[0])
urlpatterns = [path("v1/", urls)]
