"""Fixtures for the serving tests."""

import pytest

from tests.serving.varnish import VarnishStack


@pytest.fixture(scope="module")
def varnish_stack(tmp_path_factory):
    """A real gunicorn behind a real Varnish (tests/serving/varnish.py), stopped after
    the module."""
    stack = VarnishStack(tmp_path_factory.mktemp("varnish"))
    yield stack
    stack.stop()
