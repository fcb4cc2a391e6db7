"""Everything the API's responses share, cache hits included (settings.MIDDLEWARE).

Placed just above the page cache, so it runs for the whole-response hits the page cache
answers without reaching a view: request limits and Cache-Control. Errors answered as
HTML pages become problem+json in api/boundary.py, first in the stack.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from . import throttle
from .problems import problem

API_PREFIX = "/api/"
# Public reads are the same for every client and change only when the content does:
# shared caches may keep them, but must ask again (a cheap 304 with the ETag) each time,
# so a change is visible through the API as soon as on the web pages.
PUBLIC_CACHE_CONTROL = "public, no-cache"
PRIVATE_CACHE_CONTROL = "private, no-store"


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        wait = throttle.check(request)
        if wait is not None:
            return problem(
                request,
                429,
                f"Too many requests: try again in {wait} seconds.",
                code="rate_limited",
                retry_after=wait,
            )
        response = self.get_response(request)
        if response.status_code >= 400:
            return response
        if not response.has_header("Cache-Control"):
            # Public views set their own; a page-cache hit lost it with the other
            # per-response headers (only public reads are ever stored there).
            public = response.get("X-Page-Cache") == "hit"
            response["Cache-Control"] = PUBLIC_CACHE_CONTROL if public else PRIVATE_CACHE_CONTROL
        return response
