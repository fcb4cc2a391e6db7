"""The SSRF check sees through IPv6 forms that carry a private or loopback IPv4 address."""

import ipaddress

import pytest

from ingest.fetch import FetchError, check_host, is_public_address


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",  # IPv4-compatible (deprecated, still routed by some stacks)
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::10.0.0.1",
        "::ffff:192.168.1.1",
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254 (cloud metadata)
        "::1",
        "::",
    ],
)
def test_ipv6_wrappers_of_private_addresses_are_private(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["2606:4700:4700::1111", "64:ff9b::808:808", "1.1.1.1"])
def test_public_addresses_stay_public(address):
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("host", ["[::127.0.0.1]", "[::ffff:127.0.0.1]", "[2002:7f00:1::]"])
def test_check_host_refuses_them_in_urls(settings, host):
    settings.FEED_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(FetchError, match="private or local network"):
        check_host(f"http://{host}:8000/feed")
