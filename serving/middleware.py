"""Project-wide request guards and response headers (wired in settings.MIDDLEWARE)."""

from __future__ import annotations

import functools
import logging

from csp import constants as csp_constants
from csp import middleware as csp_middleware
from csp import utils as csp_utils
from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.http import ConditionalGetMiddleware as DjangoConditionalGetMiddleware

from .errors import render_error, unavailable

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
    """A clear 503 page with Retry-After, not a 500, when the database cannot be reached
    or a query hit its lock or statement timeout (DB_LOCK_TIMEOUT, DB_STATEMENT_TIMEOUT:
    both raise OperationalError), with what the reader posted when the view kept it
    (serving.errors.keep_input). Under /api/ the API's middleware turns it into
    problem+json."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, OperationalError | InterfaceError):
            return unavailable(request, exception)
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


# The request headers that make a request conditional (RFC 9110 13.1): without one of
# them Django's get_conditional_response hands the response back as it is.
CONDITIONAL_HEADERS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


class ConditionalGetMiddleware(DjangoConditionalGetMiddleware):
    """Django's, answering at once a response that already has its ETag to a request
    that asks nothing conditional (nearly every page-cache hit): Django's would parse the
    Last-Modified date and the absent request headers for nothing, a tenth of a hit's
    time (docs/benchmarks.md, eleventh session). Any other case goes to Django's, and a
    test compares the two on every combination of request headers."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        meta = request.META
        if "ETag" in response.headers and not any(h in meta for h in CONDITIONAL_HEADERS):
            return response
        return super().process_response(request, response)


# Attributes through which a view (csp.decorators) changes the policy of its response.
CSP_RESPONSE_ATTRS = tuple(
    f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace") for suffix in ("", "_ro")
)


@functools.cache
def _plain_csp() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(header, policy, exemption attribute, excluded prefixes) for the enforced and the
    report-only policy, built once from the settings (again when a test changes them)."""
    parts = []
    for header, setting, exempt, report_only in (
        (csp_constants.HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
        (
            csp_constants.HEADER_REPORT_ONLY,
            "CONTENT_SECURITY_POLICY_REPORT_ONLY",
            "_csp_exempt_ro",
            True,
        ),
    ):
        policy = csp_utils.build_policy(report_only=report_only)
        prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
        if policy:
            parts.append((header, policy, exempt, prefixes))
    return tuple(parts)


@receiver(setting_changed)
def _csp_settings_changed(setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _plain_csp.cache_clear()


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware, with the policy built once per process for the responses
    that use no nonce and whose view did not change the policy: nearly every page, and
    every page-cache hit. django-csp builds it again for each response, which was a third
    of the time of a cache hit. Anything else goes to django-csp as before."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in CSP_RESPONSE_ATTRS
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response  # Django's debug pages (as django-csp does)
        for header, policy, exempt, prefixes in _plain_csp():
            excluded = prefixes and request.path_info.startswith(prefixes)
            if header not in response and not getattr(response, exempt, False) and not excluded:
                response[header] = policy
        # As django-csp: a nonce asked for after the header was written is an error.
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response
