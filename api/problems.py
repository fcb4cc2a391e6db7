"""Error bodies as RFC 9457 problem details (application/problem+json), one shape for all.

`{"type": "about:blank", "title": "Not Found", "status": 404, "detail": "...",
"instance": "/api/v1/..."}`, plus a `code` for errors an app may act on (a comment rule's
reason code, `invalid_cursor`...) and `errors` for 422 validation failures.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse

PROBLEM_TYPE = "application/problem+json"


def problem(
    request: HttpRequest | None,
    status: int,
    detail: str = "",
    *,
    code: str = "",
    retry_after: int | None = None,
    **extra,
) -> HttpResponse:
    """A problem+json response for `status` with a human `detail`."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.path
    if code:
        body["code"] = code
    body.update(extra)
    response = HttpResponse(json.dumps(body, default=str), status=status, content_type=PROBLEM_TYPE)
    if retry_after is not None:
        response["Retry-After"] = str(max(1, int(retry_after)))
    response["Cache-Control"] = "no-store"
    return response


# What an error raised outside the API's views (an unknown address, a method not allowed,
# Django's own 400/403/500, the size limit's 413) says, when it came as an HTML page
# (api/boundary.py).
DEFAULT_DETAILS = {
    400: "The request could not be understood.",
    401: "Sign in first: send the X-Session-Token header.",
    403: "You are not allowed to do that.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The request body is too large.",
    429: "Too many requests: wait a little.",
    500: "Something went wrong on our side.",
    503: "The service is temporarily unavailable.",
}
