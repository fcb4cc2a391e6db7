"""Links to the site's fixed addresses, reversed once per process.

`reverse()` walks the URLconf each time (about 30 µs; `{% url %}` 50 µs): a signed-in
page's header and footer named a dozen fixed addresses on every request, 0.6 ms of a
3.5 ms page. An address without per-object arguments is the same for every request with
the same script prefix and URLconf, so it is kept per (prefix, URLconf, name, args).
Only for names whose arguments are constants (a page slug written in the template, not
an object's): per-object links would fill the memo with one entry each.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=1024)
def _reversed(prefix: str, urlconf, name: str, args: tuple) -> str:
    return reverse(name, urlconf=urlconf, args=args)  # under `prefix`, the thread's own


def fixed_url(name: str, *args) -> str:
    """`reverse(name, args=args)`, kept: for an address with constant arguments only."""
    return _reversed(get_script_prefix(), get_urlconf(), name, args)
