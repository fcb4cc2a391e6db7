"""The client address behind reverse proxies (serving/client.py), and who uses it."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from comments.models import Comment
from serving.client import client_ip
from tests.factories import ArticleFactory, ConfirmedReaderFactory

PROXY = "10.0.0.5"


def _request(peer="127.0.0.1", xff=None):
    extra = {"REMOTE_ADDR": peer}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.FORWARDED_ALLOW_IPS = [PROXY, "127.0.0.1"]


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(peer="198.51.100.7", xff="203.0.113.9")) == "198.51.100.7"


def test_one_proxy_takes_the_address_it_appended(one_proxy):
    # The client wrote "1.2.3.4" itself; nginx appended the address it saw.
    request = _request(peer=PROXY, xff="1.2.3.4, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_two_proxies_take_the_second_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    settings.FORWARDED_ALLOW_IPS = [PROXY]
    request = _request(peer=PROXY, xff="6.6.6.6, 203.0.113.9, 10.0.0.9")
    assert client_ip(request) == "203.0.113.9"


def test_header_from_an_untrusted_peer_is_ignored(one_proxy):
    # Someone who reaches gunicorn around the proxy cannot choose their address.
    assert client_ip(_request(peer="198.51.100.7", xff="203.0.113.9")) == "198.51.100.7"


@pytest.mark.parametrize("xff", ["", "not-an-address", "203.0.113.9, <script>"])
def test_short_or_garbled_header_falls_back_to_the_peer(one_proxy, xff):
    assert client_ip(_request(peer=PROXY, xff=xff)) == PROXY


@pytest.mark.parametrize(
    ("hop", "expected"),
    [
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("203.0.113.9:5100", "203.0.113.9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("2001:DB8::0:1", "2001:db8::1"),
    ],
)
def test_addresses_are_canonical(one_proxy, hop, expected):
    assert client_ip(_request(peer=PROXY, xff=hop)) == expected


@pytest.mark.django_db
def test_failed_logins_from_one_reader_do_not_lock_out_the_others(client, one_proxy):
    """Five wrong passwords behind the proxy used to lock out every reader."""
    ConfirmedReaderFactory(email="victim@example.org")
    login = reverse("account_login")
    for n in range(6):
        client.post(
            login,
            {"login": f"guess{n}@example.org", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
    other = ConfirmedReaderFactory()
    response = client.post(
        login,
        {"login": other.email, "password": "a-Long-passw0rd!"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302
    assert "Too many" not in response.content.decode()


@pytest.mark.django_db
def test_the_attacker_is_still_limited_per_address(client, one_proxy):
    login = reverse("account_login")
    for n in range(6):
        response = client.post(
            login,
            {"login": f"guess{n}@example.org", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"9.9.9.{n}, 203.0.113.66",  # a forged left part changes nothing
        )
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_a_comment_stores_the_client_address_not_the_proxys(client, one_proxy, settings):
    reader = ConfirmedReaderFactory()
    article = ArticleFactory()
    client.force_login(reader)
    client.post(
        reverse("comments:post", args=[article.slug]),
        {"body": "Which pier does the ferry leave from?"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert Comment.objects.get(author=reader).ip_address == "203.0.113.9"
