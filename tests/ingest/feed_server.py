"""A real HTTP server on 127.0.0.1 (ephemeral port) that serves feeds and images to tests."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.processes import serve_in_thread

FEEDS_DIR = Path(__file__).parent / "feeds"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_length: bool = True
    etag: str = ""
    last_modified: str = ""
    chunk_size: int = 256 * 1024
    chunk_delay: float = 0.0  # seconds between chunks: a server that drips its answer


class FeedServer:
    """Routes are set by the test; every request is recorded with its headers."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the http.server API)
                server.requests.append((self.path, dict(self.headers.items())))
                route = server.routes.get(self.path)
                if route is None:
                    route = Route(body=b"Not found", status=404)
                if route.delay:
                    time.sleep(route.delay)
                if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.last_modified
                    and self.headers.get("If-Modified-Since") == route.last_modified
                ):
                    self.send_response(304)
                    self.end_headers()
                    return
                try:
                    self.send_response(route.status)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    if route.etag:
                        self.send_header("ETag", route.etag)
                    if route.last_modified:
                        self.send_header("Last-Modified", route.last_modified)
                    if route.content_length:
                        self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    view = memoryview(route.body)
                    for start in range(0, len(view), route.chunk_size):
                        self.wfile.write(view[start : start + route.chunk_size])
                        if route.chunk_delay:
                            self.wfile.flush()
                            time.sleep(route.chunk_delay)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (size limit, timeout): that is the point

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str = b"", **kwargs) -> str:
        """Serve `body` at `path`; returns the full URL."""
        if isinstance(body, str):
            body = body.encode()
        self.routes[path] = Route(body=body, **kwargs)
        return self.url(path)

    def add_feed(self, path: str, fixture: str, *, replace: dict | None = None, **kwargs) -> str:
        """Serve a fixture feed from tests/ingest/feeds/, with {BASE} set to this server."""
        return self.add(path, self.feed_text(fixture, replace=replace), **kwargs)

    def feed_text(self, fixture: str, *, replace: dict | None = None) -> str:
        text = (FEEDS_DIR / fixture).read_text(encoding="utf-8").replace("{BASE}", self.base)
        for old, new in (replace or {}).items():
            assert old in text, f"{old!r} is not in {fixture}"
            text = text.replace(old, new)
        return text

    def paths_requested(self) -> list[str]:
        return [path for path, _ in self.requests]

    def start(self) -> FeedServer:
        serve_in_thread(self.httpd)
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
