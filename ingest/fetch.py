"""HTTP for feed ingestion: feeds and lead images fetched with hard limits.

Standard library only (urllib). Every request carries a clear User-Agent, has a socket
timeout and a wall-clock deadline, follows at most FEED_MAX_REDIRECTS redirects (http and
https only), and stops reading as soon as the body passes its byte limit, so a hostile or
broken server can neither hang the importer nor fill its memory. The deadline covers
connecting, the headers and the body of every hop: a watchdog shuts the socket down when
it passes, so a server that trickles one byte a second (each read well inside the socket
timeout) is cut off on time too. Unless
FEED_ALLOW_PRIVATE_HOSTS is on, hosts that resolve to private, loopback or link-local
addresses are refused, so a feed cannot make the server probe its own network.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from urllib.parse import urljoin, urlsplit

from django.conf import settings

CHUNK = 64 * 1024


class FetchError(Exception):
    """The resource could not be fetched; the message says why, for editors.

    `retry_after` is the wait in seconds the server asked for (a 429 or 503 with a
    Retry-After header), for the poll scheduler to honour.
    """

    def __init__(self, message: str, *, retry_after: int | None = None, status: int = 0):
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status  # the HTTP status of a 4xx or 5xx answer, else 0


@dataclass
class FetchResult:
    status: int
    body: bytes
    url: str
    etag: str = ""
    last_modified: str = ""
    max_age: int | None = None  # Cache-Control: max-age, in seconds
    content_type: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def max_age(headers) -> int | None:
    """Seconds from `Cache-Control: max-age=N`, or None."""
    for part in (headers.get("Cache-Control") or "").split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.strip().strip('"').isdigit():
            return int(value.strip().strip('"'))
    return None


def retry_after(headers) -> int | None:
    """Seconds from `Retry-After` (a number or an HTTP date), or None."""
    value = (headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - datetime.now(UTC)).total_seconds()))


def user_agent() -> str:
    return f"NewsroomBot/1.0 (+{settings.SITE_URL})"


def is_http_url(value: str) -> bool:
    return urlsplit(value).scheme.lower() in {"http", "https"}


def check_host(url: str) -> None:
    """Refuse non-http(s) URLs, and hosts on internal networks unless allowed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError(f"Not a valid address: {url[:200]!r}.") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"Only http and https addresses can be fetched, not {url[:200]!r}.")
    if settings.FEED_ALLOW_PRIVATE_HOSTS or url in settings.FEED_PRIVATE_URL_EXCEPTIONS:
        return  # allowed everywhere, or this exact address (the demo feed) is
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 80, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise FetchError(f"Cannot resolve {parts.hostname}: {exc}.") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not is_public_address(address):
            raise FetchError(
                f"{parts.hostname} is on a private or local network ({address}); "
                "set FEED_ALLOW_PRIVATE_HOSTS to fetch from it."
            )


NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries, in any of the forms that can route to it:
    mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d),
    6to4 (2002:aabb:ccdd::) and Teredo."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in IPV4_COMPATIBLE or address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Global, and (for IPv6) not a wrapper around a private or local IPv4 address:
    Python calls ::127.0.0.1 and 2002:7f00:1:: global, but they reach loopback."""
    if not address.is_global:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None and not inner.is_global:
            return False
    return True


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows a bounded number of redirects, re-checking every new address."""

    def __init__(self, limit: int):
        super().__init__()
        self.max_redirections = limit
        self.max_repeats = limit

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_host(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)

    def http_error_302(self, req, fp, code, msg, headers):
        visited = getattr(req, "redirect_dict", {})
        if sum(visited.values()) >= self.max_redirections:
            raise FetchError(f"More than {self.max_redirections} redirects.")
        location = headers.get("Location") or headers.get("URI")
        if location:
            check_host(urljoin(req.full_url, location))
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class _Deadline:
    """A wall-clock limit on a whole fetch: every socket opened for it is shut down when
    the time is up, whatever read or connect it is blocked in."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0 or self.expired:
            raise TimeoutError("deadline passed")
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _bounded(base: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
    class Bounded(base):
        def __init__(self, *args, deadline: _Deadline, **kwargs):
            super().__init__(*args, **kwargs)
            self._deadline = deadline

        def connect(self):
            # Connecting (and the TLS handshake) gets what is left of the deadline at most.
            self.timeout = min(self.timeout, self._deadline.remaining())
            super().connect()
            self._deadline.watch(self.sock)

    return Bounded


_BoundedHTTP = _bounded(http.client.HTTPConnection)
_BoundedHTTPS = _bounded(http.client.HTTPSConnection)


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self._deadline = deadline

    def http_open(self, req):
        return self.do_open(_BoundedHTTP, req, deadline=self._deadline)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self._deadline = deadline

    def https_open(self, req):
        return self.do_open(
            _BoundedHTTPS,
            req,
            context=self._context,
            deadline=self._deadline,
        )


def fetch(
    url: str,
    *,
    max_bytes: int,
    etag: str = "",
    last_modified: str = "",
    accept: str = "*/*",
    deadline: float | None = None,
) -> FetchResult:
    """GET `url` within the configured limits; a 304 comes back with an empty body.

    The whole fetch (connecting, redirects, headers, body) ends within
    `FEED_DEADLINE` seconds, or `deadline` (a time.monotonic() value) if that is sooner.
    Raises FetchError for a 4xx or 5xx, a timeout, a refused connection, too many
    redirects, or a body larger than `max_bytes`.
    """
    check_host(url)
    seconds = settings.FEED_DEADLINE or 3 * settings.FEED_TIMEOUT
    if deadline is not None:
        seconds = min(seconds, deadline - time.monotonic())
    if seconds <= 0:
        raise FetchError("Not fetched: no time left for it in this run.")
    limit = _Deadline(seconds)
    try:
        return _fetch(
            url,
            max_bytes=max_bytes,
            etag=etag,
            last_modified=last_modified,
            accept=accept,
            limit=limit,
        )
    except (OSError, HTTPException, FetchError):
        if limit.expired:
            raise FetchError(
                f"Timed out: {url[:200]} took over {limit.seconds:g} s in all."
            ) from None
        raise
    finally:
        limit.cancel()


def _fetch(
    url: str, *, max_bytes: int, etag: str, last_modified: str, accept: str, limit: _Deadline
) -> FetchResult:
    timeout = settings.FEED_TIMEOUT
    headers = {"User-Agent": user_agent(), "Accept": accept, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    # build_opener keeps its default ProxyHandler on purpose: a proxy set in the
    # environment is honoured, as by any other HTTP client on the machine.
    opener = urllib.request.build_opener(
        _RedirectHandler(settings.FEED_MAX_REDIRECTS), _HTTPHandler(limit), _HTTPSHandler(limit)
    )
    request = urllib.request.Request(url, headers=headers, method="GET")
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise FetchError(_too_large(int(length), max_bytes))
            body = bytearray()
            while chunk := response.read(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(_too_large(len(body), max_bytes, at_least=True))
            if limit.expired:  # the watchdog's shutdown reads as an early end of the body
                raise TimeoutError("deadline passed")
            return FetchResult(
                status=response.status,
                body=bytes(body),
                url=response.geturl(),
                etag=response.headers.get("ETag", "")[:300],
                last_modified=response.headers.get("Last-Modified", "")[:100],
                max_age=max_age(response.headers),
                content_type=response.headers.get("Content-Type", "")[:200],
            )
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return FetchResult(
                status=304,
                body=b"",
                url=url,
                etag=(exc.headers.get("ETag", "") or etag)[:300],
                last_modified=(exc.headers.get("Last-Modified", "") or last_modified)[:100],
                max_age=max_age(exc.headers),
            )
        raise FetchError(
            f"HTTP {exc.code} {exc.reason} from {url[:200]}.",
            retry_after=retry_after(exc.headers),
            status=exc.code,
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise FetchError(f"Timed out after {timeout:g} s connecting to {url[:200]}.") from None
        if isinstance(reason, ConnectionRefusedError):
            raise FetchError(f"Connection refused by {url[:200]}.") from None
        raise FetchError(f"Cannot fetch {url[:200]}: {reason}.") from None
    except TimeoutError:
        raise FetchError(f"Timed out after {timeout:g} s reading {url[:200]}.") from None
    except (OSError, HTTPException, ValueError) as exc:
        raise FetchError(f"Cannot fetch {url[:200]}: {exc.__class__.__name__}: {exc}.") from None


def read_local(path: str, *, max_bytes: int) -> bytes:
    """Read a feed from a file, with the same size limit as a download."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise FetchError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if len(data) > max_bytes:
        raise FetchError(_too_large(len(data), max_bytes, at_least=True))
    return data


def _too_large(size: int, limit: int, *, at_least: bool = False) -> str:
    more = "over " if at_least else ""
    return f"Too large: {more}{size / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB."
