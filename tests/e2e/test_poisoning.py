"""The probe's poisoning attempts, through Varnish: what one client sends changes nothing
another reader gets (docs/security.md, "The proxy chain")."""

from __future__ import annotations

import re

import requests

from tests.e2e.http import anonymous_get

ARTICLE = "/articles/lighthouse-keeper/"


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_a_script_name_header_cannot_move_a_page(stack):
    # Sent first, on pages nobody has asked for yet, so the attacker's request is the
    # one Varnish and the page cache would keep.
    for path in (ARTICLE, "/sources/harbour-ledger/?page=1"):
        attack = anonymous_get(stack.url, path, {"SCRIPT_NAME": path.split("?")[0].rstrip("/")})
        assert attack.status_code == 200
        reader = anonymous_get(stack.url, path)
        assert reader.status_code == 200 and reader.text == attack.text
    reader = anonymous_get(stack.url, ARTICLE).text
    assert "Lighthouse keeper retires" in _title(reader)
    assert 'href="/articles/lighthouse-keeper/articles/' not in reader


def test_a_forwarded_proto_or_host_never_reaches_another_reader(stack):
    for headers in (
        {"X-Forwarded-Proto": "https"},
        {"X-Forwarded-Host": "evil.example"},
        {"X-Forwarded-Host": "evil.example", "X-Forwarded-Port": "443", "Forwarded": "proto=https"},
    ):
        for path in ("/api/v1/sources", "/api/v1/articles", "/topics/harbour/"):
            attack = anonymous_get(stack.url, path, headers)
            assert attack.status_code == 200
            for response in (attack, anonymous_get(stack.url, path)):
                assert "evil.example" not in response.text
                assert "https://127.0.0.1" not in response.text
    urls = [source["url"] for source in anonymous_get(stack.url, "/api/v1/sources").json()]
    assert urls and all(url.startswith(stack.url + "/") for url in urls)


def test_a_visitor_cannot_purge(stack):
    anonymous_get(stack.url, ARTICLE)
    assert anonymous_get(stack.url, ARTICLE).headers["X-Cache"] == "HIT"
    for secret in (None, "", "guess", stack.varnish.purge_secret[:-1]):
        headers = {"xkey": "site"} | ({"X-Purge-Secret": secret} if secret is not None else {})
        response = requests.request("PURGE", stack.url + "/", headers=headers, timeout=10)
        assert response.status_code == 403
    assert anonymous_get(stack.url, ARTICLE).headers["X-Cache"] == "HIT"  # nothing purged
