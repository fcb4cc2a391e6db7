"""Error pages (400, 403, 404, 413, 429, 500, 503) in the site's style.

They render without a request context on purpose: the header's topic list and the
footer's app block need the database, and an error page must work when it is down.

A 503 (the database unreachable, or a query that hit its lock or statement timeout)
asks the client to come back in RETRY_AFTER_SECONDS, and gives back what a reader was
posting when the view said which fields to keep (`keep_input`): the page holds the
text in a form that sends it again, so nothing typed is lost.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
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
        response["Retry-After"] = str(getattr(settings, "RETRY_AFTER_SECONDS", 5))
        response["Cache-Control"] = "no-store"
    return response


def keep_input(request: HttpRequest, text: str, *hidden: str) -> None:
    """Say which posted fields a 503 must give back: `text`, the reader's words, in a text
    box, and the `hidden` ones (a parent id...) as they came. Call before any query that
    may stall; never name a password."""
    request._kept_input = (text, hidden)


def unavailable(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 503 for a database error: unreachable, or a lock or statement timeout."""
    name = type(exception).__name__
    logger.error("Database unavailable for %s: %s: %s", request.path, name, exception)
    kept = getattr(request, "_kept_input", None)
    if kept is None or request.method != "POST":
        return render_error(request, 503)
    text, hidden = kept
    return render_error(
        request,
        503,
        kept_action=request.path,
        kept_text_name=text,
        kept_text=request.POST.get(text, ""),
        kept_hidden=[(name, request.POST[name]) for name in hidden if name in request.POST],
        csrf_token=get_token(request),
    )


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
        return unavailable(request, exc)
    return render_error(request, 500)


def too_many_requests(request, exception=None) -> HttpResponse:
    """For rate limiters (allauth's and the comments app's) to render their 429."""
    return render_error(request, 429)
