"""Building responses: JSON with an ETag, `fields=` selection, opaque cursors, the
error that carries a problem body out of a view, the declared problem responses and the
cache of public reads."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.cache import set_response_etag
from django.utils.http import urlencode
from ninja import Query
from ninja.decorators import decorate_view

from serving.cache import EVERY_PARAMETER, cache_for_anonymous
from serving.sites import absolute_url

from .middleware import PUBLIC_CACHE_CONTROL
from .schemas import Problem

# A public read (the same for every client) is cached whole by the page cache and
# invalidated with the web pages: it depends on what it read (serving/dependencies.py).
cached_public_read = decorate_view(cache_for_anonymous(query=EVERY_PARAMETER))


def problems(*statuses: int) -> dict:
    """An operation's error responses for `response=`: a problem body for each status."""
    return dict.fromkeys(statuses, Problem)


class ApiError(Exception):
    """Raised by a view: becomes a problem+json response (api/urls.py's handler)."""

    def __init__(self, status: int, detail: str, *, code: str = "", retry_after=None):
        super().__init__(detail)
        self.status, self.detail, self.code, self.retry_after = status, detail, code, retry_after


def parse_fields(raw: str | None, allowed: set[str]) -> list[str] | None:
    """`fields=id,title,url` -> the names asked for; None means all. Unknown names: 400."""
    if raw is None or not raw.strip():
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = sorted(set(names) - allowed)
    if unknown:
        raise ApiError(
            400,
            f"Unknown field(s): {', '.join(unknown)}. Choose from: {', '.join(sorted(allowed))}.",
            code="unknown_field",
        )
    return names


def pick(item: dict, fields: list[str] | None) -> dict:
    return item if fields is None else {k: item[k] for k in fields}


def respond(
    request: HttpRequest, data: dict, *, status: int = 200, public: bool = False
) -> HttpResponse:
    """JSON for `data`; public reads get an ETag and `Cache-Control: public, no-cache`."""
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":")),
        status=status,
        content_type="application/json",
    )
    if public:
        response["Cache-Control"] = PUBLIC_CACHE_CONTROL
        set_response_etag(response)
    return response


def encode_cursor(published_at: datetime, pk: int) -> str:
    raw = json.dumps([published_at.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_ID = 2**63 - 1  # the largest id a database column holds


def cursor_query():
    """The `cursor` parameter of every list: bounded, so an absurd one is a 422 before
    it is decoded (ours are under 60 characters)."""
    return Query(
        None,
        max_length=settings.API_CURSOR_MAX_LENGTH,
        description="`next_cursor` of the previous page.",
    )


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (published_at, id) a cursor stands for; a made-up cursor is a 400.

    Only the shape encode_cursor writes is read: `["<ISO time with zone>", <id>]`. The
    length is bounded before decoding, so a cursor of nested brackets is refused, never
    a RecursionError."""
    detail = "The cursor is not one this API gave out."
    if len(cursor) > settings.API_CURSOR_MAX_LENGTH:
        raise ApiError(400, detail, code="invalid_cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not (isinstance(data, list) and len(data) == 2):
            raise ValueError("not a pair")
        when, pk = data
        if not isinstance(when, str) or type(pk) is not int or not 0 < pk <= MAX_ID:
            raise ValueError("not a time and an id")
        parsed = datetime.fromisoformat(when)
        if parsed.tzinfo is None:
            raise ValueError("naive time")
        return parsed, pk
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise ApiError(400, detail, code="invalid_cursor") from None


def next_page_url(request: HttpRequest, next_cursor: str | None) -> str | None:
    """The full address of the page after this one: the same query with `cursor` replaced."""
    if not next_cursor:
        return None
    params = {**{k: v for k, v in request.GET.items() if k != "cursor"}, "cursor": next_cursor}
    return absolute_url(f"{request.path_info}?{urlencode(params)}")
