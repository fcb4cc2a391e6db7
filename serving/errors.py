"""Error pages (400, 403, 404, 413, 429, 500, 503) in the site's style.

They render without a request context on purpose: the header's topic list and the
footer's app block need the database, and an error page must work when it is down.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Page not found",
    413: "Request too large",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def render_error(request: HttpRequest | None, status: int, **context) -> HttpResponse:
    """The error page for `status`, rendered with no query."""
    template = loader.select_template([f"{status}.html", "error.html"])
    title = TITLES.get(status, "Error")
    content = template.render(
        {
            "SITE_NAME": settings.SITE_NAME,
            "status": status,
            "title": title,
            "fragment_timeout": 0,  # the header/footer {% cache %} tags: store nothing
            **context,
        }
    )
    response = HttpResponse(content, status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return response


def bad_request(request, exception=None, template_name="400.html"):
    return render_error(request, 400)


def permission_denied(request, exception=None, template_name="403.html"):
    return render_error(request, 403)


def page_not_found(request, exception=None, template_name="404.html"):
    return render_error(request, 404)


def server_error(request, template_name="500.html"):
    # Middleware errors arrive here too: a database outage is still a 503.
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("Database unavailable: %s", exc)
        return render_error(request, 503)
    return render_error(request, 500)


def too_many_requests(request, exception=None) -> HttpResponse:
    """For rate limiters (allauth's and the comments app's) to render their 429."""
    return render_error(request, 429)
