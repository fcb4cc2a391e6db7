"""/favicon.ico: browsers ask for it wherever a page names no icon (the admin did, and
got a 404). A redirect to the static file with its hashed name, kept a day."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    response = HttpResponseRedirect(static("img/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
