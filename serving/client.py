"""Who is on the other end of a request: the one place the client address comes from.

Behind a reverse proxy `REMOTE_ADDR` is the proxy. Each trusted proxy appends the address
it received the request from to `X-Forwarded-For`, so with `TRUSTED_PROXY_COUNT` proxies
in front the client is the entry that many places from the right; anything further left
was written by the client and proves nothing. The header is read only when the direct
peer is one of `FORWARDED_ALLOW_IPS` (the same variable gunicorn reads for
`X-Forwarded-Proto`), so a client that reaches gunicorn around the proxy cannot choose
its own address. Rate limits (allauth's, the admin login's), the IP stored with a
comment and the security log lines all call `client_ip()`.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _clean(value: str) -> str | None:
    """An address in canonical form, or None for anything that is not one."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def _peer_is_trusted(peer: str) -> bool:
    allowed = settings.FORWARDED_ALLOW_IPS
    # No peer address at all means a unix socket: only the local proxy can reach it.
    return "*" in allowed or not peer or peer in allowed


def client_ip(request: HttpRequest) -> str:
    """The client's address as the trusted proxies saw it ("" if unknown)."""
    peer = request.META.get("REMOTE_ADDR", "")
    peer_clean = _clean(peer) if peer else None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0 or not _peer_is_trusted(peer_clean or peer):
        return peer_clean or ""
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        logger.warning(
            "X-Forwarded-For has %d address(es) but TRUSTED_PROXY_COUNT is %d; "
            "using the peer address %s",
            len(hops),
            count,
            peer,
        )
        return peer_clean or ""
    return _clean(hops[-count]) or peer_clean or ""
