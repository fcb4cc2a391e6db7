"""Fixtures for the serving tests."""

import http.server

import pytest

from tests.processes import serve_in_thread
from tests.serving.varnish import VarnishStack


@pytest.fixture(scope="module")
def varnish_stack(tmp_path_factory):
    """A real gunicorn behind a real Varnish (tests/serving/varnish.py), stopped after
    the module."""
    stack = VarnishStack(tmp_path_factory.mktemp("varnish"))
    yield stack
    stack.stop()


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_PURGE(self):  # noqa: N802 - the HTTP method's name
        self.server.seen.append(self.headers["xkey"])
        self.server.secrets.append(self.headers["X-Purge-Secret"])
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def cache_server(settings):
    """A real HTTP server on 127.0.0.1 standing in for Varnish: records PURGE requests
    (`seen`, with the `secrets` they carried) and answers the `statuses` queued, else 200."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen, server.statuses, server.secrets = [], [], []
    serve_in_thread(server)
    settings.PURGE_URLS = [f"http://127.0.0.1:{server.server_port}/"]
    settings.PURGE_TIMEOUT = 2
    settings.PURGE_SECRET = "test-purge-secret"
    yield server
    server.shutdown()
    server.server_close()
