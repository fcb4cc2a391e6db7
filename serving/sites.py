"""The sites framework's row follows SITE_URL.

`django.contrib.sites` starts with "example.com", and the admin's "View on site" (the
contenttypes shortcut view) builds its links from that row. After every `migrate` the row
is set from SITE_URL and SITE_NAME, so those links go to this site on whatever host and
port it runs (`make run` sets SITE_URL from HOST and PORT).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


def sync_site(*, using: str = "default", apps=None, **kwargs) -> None:
    """post_migrate receiver: the SITE_ID row gets SITE_URL's host and the site's name."""
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )
    Site.objects.clear_cache()


def absolute_url(path: str) -> str:
    """`path` on the site's public address (SITE_URL), the same on every app server.

    Built from settings rather than the request's Host so cached pages, feeds and
    sitemaps never carry whatever host a visitor sent.
    """
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def local_path(request, target: str | None, default: str) -> str:
    """`target` when it is a path on this site (a form's `next`), else `default`.

    Only a path: `redirect()` takes any other string for a view name to reverse (a 500 for
    "²", found by tests/serving/test_hostile_parameters.py), and a control character
    cannot go into a Location header."""
    target = target or ""
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default
