"""The edge of the JSON endpoints: /api/ (ours) and /_allauth/ (allauth headless).

First in settings.MIDDLEWARE, so it sees every answer, whichever layer gave it:

- **Every error is JSON.** An error answered as an HTML page (the request size limit's
  413, Django's 400, a 404 for an unknown address, a 500) becomes problem+json under
  /api/ and allauth's own error shape (`{"status", "errors": [{"message", "code"}]}`)
  under /_allauth/, so an app reads one kind of body per prefix.
- **Text that is not Unicode is refused.** JSON may spell a lone surrogate (`"\\ud800"`):
  Python decodes it into a string no database, hash or encoder accepts. Such a body is a
  400 (`invalid_unicode`) before any view runs.
- **allauth's own crashes are the client's 400.** allauth 65.22 raises TypeError or
  AttributeError for some input it does not expect (a password reset key "-abc", PUT
  on the phone endpoint: AttributeError, or NotImplementedError when the adapter stores
  no phone numbers): caught here as a 400 and logged with
  the traceback, instead of the site's HTML 500 page.
- **A method an allauth view does not have is a 405** with `Allow`, before allauth
  reads the body (it answered TRACE with a 400 about the fields).
- **A sign-up either completes or leaves nothing behind.** Writes under /_allauth/ run
  in one transaction, rolled back when the answer is an error of ours (500, or a crash
  caught above): a failed sign-up leaves no half-made account to block the real owner.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

from .problems import DEFAULT_DETAILS, problem

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
HEADLESS_PREFIX = "/_allauth/"
PREFIXES = (API_PREFIX, HEADLESS_PREFIX)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# What allauth raises from its own code for input it did not foresee (docs/api.md).
ALLAUTH_CRASHES = (
    TypeError,
    AttributeError,
    ValueError,
    KeyError,
    UnicodeError,
    NotImplementedError,  # the phone endpoints, on a site whose adapter stores no phones
)
# The `code` of an error converted from a page (allauth's errors always carry one).
STATUS_CODES = {
    400: "invalid",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}
INVALID_UNICODE = (
    "The request contains text that is not valid Unicode (such as a lone surrogate, "
    "\\ud800): send UTF-8 text."
)


def error(request: HttpRequest, status: int, detail: str, *, code: str = "") -> HttpResponse:
    """An error in the shape of the prefix: problem+json, or allauth's JSON error."""
    if request.path.startswith(HEADLESS_PREFIX):
        code = code or STATUS_CODES.get(status, "error")
        body = {"status": status, "errors": [{"message": detail, "code": code}]}
        response = JsonResponse(body, status=status)
        response["Cache-Control"] = "no-store"
        return response
    return problem(request, status, detail, code=code)


def has_invalid_text(data) -> bool:
    """Whether any string (key or value) in decoded JSON cannot be encoded as UTF-8.
    Walks with a stack, not recursion: nesting depth costs no stack frames."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _json_body(request: HttpRequest):
    """The decoded JSON body when there is one small enough to read; else None. Read
    whatever the Content-Type says: allauth parses JSON bodies sent as text/plain too."""
    if request.method in SAFE_METHODS:
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None  # the size limit answers
    if not 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return None
    try:
        return json.loads(request.body)
    except (ValueError, RecursionError):
        return None  # malformed: the view's parser answers, in its own words


def _allowed_methods(request: HttpRequest) -> set[str] | None:
    """The methods an allauth view answers, when it is one (None otherwise).

    allauth's views read and validate the input before Django picks the handler for the
    method, so a TRACE or an unknown method with a body got a 400 about its fields, or a
    409, instead of 405 (found by Schemathesis)."""
    if not request.path.startswith(HEADLESS_PREFIX):
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    if view_class is None:
        return None
    methods = {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    if "GET" in methods:
        methods.add("HEAD")
    return methods


class BoundaryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIXES):
            return self.get_response(request)
        allowed = _allowed_methods(request)
        if allowed is not None and request.method not in allowed:
            response = error(
                request,
                405,
                "This address does not accept that method.",
                code="method_not_allowed",
            )
            response["Allow"] = ", ".join(sorted(allowed))
            return response
        if has_invalid_text(_json_body(request)):
            return error(request, 400, INVALID_UNICODE, code="invalid_unicode")
        if request.path.startswith(HEADLESS_PREFIX) and request.method not in SAFE_METHODS:
            try:
                with transaction.atomic():
                    response = self.get_response(request)
                    if response.status_code >= 500 or getattr(request, "_allauth_crashed", False):
                        transaction.set_rollback(True)
            except (OperationalError, InterfaceError):  # the database, opening or committing
                logger.error("Database unavailable on %s", request.path)
                response = error(request, 503, DEFAULT_DETAILS[503], code="unavailable")
                response["Retry-After"] = "30"
        else:
            response = self.get_response(request)
        return self._as_json(request, response)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not request.path.startswith(HEADLESS_PREFIX):
            return None
        if not isinstance(exception, ALLAUTH_CRASHES):
            return None
        logger.warning("allauth raised on %s %s", request.method, request.path, exc_info=True)
        request._allauth_crashed = True
        return error(
            request,
            400,
            "The request could not be processed: check its fields and headers.",
            code="invalid",
        )

    def _as_json(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        status = response.status_code
        if status < 400 or "json" in response.get("Content-Type", ""):
            return response
        converted = error(request, status, DEFAULT_DETAILS.get(status, ""))
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if response.has_header(header):
                converted[header] = response[header]
        return converted
