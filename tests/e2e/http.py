"""Plain HTTP readers of the stack: each `Visitor` has its own cookies and never follows
redirects, so every answer is the one Varnish gave."""

from __future__ import annotations

import re
import time

import requests

from tests.factories import PASSWORD

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Visitor:
    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()

    def get(self, path: str, headers: dict | None = None) -> requests.Response:
        return self.session.get(
            self.base + path, headers=headers, allow_redirects=False, timeout=30
        )

    def open_form(self, page: str) -> str:
        """GET `page` as a browser opens it; the CSRF token of its form."""
        form = self.get(page)
        assert form.status_code == 200, (page, form.status_code)
        return TOKEN_RE.search(form.text).group(1)

    def submit(self, page: str, action: str, token: str, data: dict) -> requests.Response:
        """POST `data` to `action` from the form opened on `page`."""
        return self.session.post(
            self.base + action,
            data={"csrfmiddlewaretoken": token, **data},
            headers={"Referer": self.base + page, "Origin": self.base},
            allow_redirects=False,
            timeout=60,
        )

    def post_form(self, page: str, action: str, data: dict) -> requests.Response:
        """GET `page`, then POST `data` with its CSRF token to `action`, as its form would."""
        return self.submit(page, action, self.open_form(page), data)

    def log_in(self, email: str) -> None:
        response = self.post_form(
            "/accounts/login/", "/accounts/login/", {"login": email, "password": PASSWORD}
        )
        assert response.status_code == 302, response.text[:500]
        assert "sessionid" in self.session.cookies


def anonymous_get(base: str, path: str, headers: dict | None = None) -> requests.Response:
    return requests.get(base + path, headers=headers, allow_redirects=False, timeout=30)


def shows_within(base: str, path: str, text: str, seconds: float, present: bool = True) -> float:
    """Seconds until an anonymous reader gets `text` at `path` (or stops getting it, with
    present=False); fails after `seconds`."""
    started = time.monotonic()
    while True:
        response = anonymous_get(base, path)
        elapsed = time.monotonic() - started
        if response.status_code == 200 and (text in response.text) == present:
            return elapsed
        assert elapsed < seconds, (
            f"{text!r} {'not yet' if present else 'still'} at {path} after {seconds} s "
            f"({response.status_code}, X-Cache {response.headers.get('X-Cache')})"
        )
        time.sleep(0.05)
