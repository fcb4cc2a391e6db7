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
        if request.method != "HEAD":
            return self._cache_control(self.get_response(request))
        # HEAD is answered as GET: ninja routes GET alone, so a HEAD was a 405 unless the
        # page cache held the GET's response (then a 200). The body goes where every
        # HEAD's does, in the server (gunicorn, runserver, the test client), which sees
        # the request's own method again.
        request.method = request.META["REQUEST_METHOD"] = "GET"
        try:
            response = self._cache_control(self.get_response(request))
        finally:
            request.method = request.META["REQUEST_METHOD"] = "HEAD"
        if not response.streaming and not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response

    @staticmethod
    def _cache_control(response: HttpResponse) -> HttpResponse:
        if response.status_code >= 400:
            return response
        if not response.has_header("Cache-Control"):
            # Public views set their own; a page-cache hit lost it with the other
            # per-response headers (only public reads are ever stored there).
            public = response.get("X-Page-Cache") == "hit"
            response["Cache-Control"] = PUBLIC_CACHE_CONTROL if public else PRIVATE_CACHE_CONTROL
        return response
