"""Project-wide request guards and response headers (wired in settings.MIDDLEWARE)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, QueryDict

from .errors import render_error

logger = logging.getLogger(__name__)

DEFAULT_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class RequestSizeLimitMiddleware:
    """Answer 413 to a body larger than MAX_REQUEST_BODY_BYTES before anything reads it.

    Django itself limits form fields (DATA_UPLOAD_MAX_MEMORY_SIZE, ..._NUMBER_FIELDS, both
    a 400) but not the size of uploaded files; the reverse proxy should refuse big bodies
    too, this is the app's own floor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = getattr(settings, "MAX_REQUEST_BODY_BYTES", None)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return render_error(request, 400, reason="The request's length is not a number.")
        if limit and length > limit:
            return render_error(request, 413, limit=limit)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A clear 503 page, not a 500, when the database cannot be reached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("Database unavailable: %s", exception)
            return render_error(request, 503)
        return None


class HostileInputMiddleware:
    """Input no view can use but some would pass on to the database.

    - NUL in a query string becomes U+FFFD: forms refuse NUL with a message, but Django's
      admin filters (`?status__exact=`) pass their values straight to PostgreSQL, which
      cannot hold NUL in text and raised. (A search for "a<NUL>b" still gets its page.)
    - A number too large to handle: forms bound ids (comments.forms.IdField) and URLs
      take `<id:...>`, but the admin's date drill-down builds `datetime(year=...)` from
      `?published_at__year=`, and SQLite cannot bind an integer over 2**63 that a model
      choice field passes to a query. Both raise OverflowError, which only ever comes
      from such input.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query:
            request.GET = QueryDict(query.replace("%00", "%EF%BF%BD"), encoding=request.encoding)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, OverflowError):
            logger.warning("Number out of range in %s: %s", request.path, exception)
            return render_error(request, 400)
        return None


class SecurityHeadersMiddleware:
    """Headers SecurityMiddleware does not set: Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy",
            getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY),
        )
        return response
