"""`make e2e`: the production stack (tests/e2e/stack.py), started once per session, driven
through Varnish by Playwright on Debian's chromium and by plain HTTP clients.

Every test here is marked `e2e`; pyproject's addopts deselect them from `make test`
(`-m "not e2e"`), and `make e2e` selects them (`-m e2e`)."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.browser.conftest import chromium  # noqa: F401 - the session browser fixture
from tests.e2e.stack import Stack

HERE = Path(__file__).parent

SEED = """
from tests.factories import (ArticleFactory, ConfirmedReaderFactory, EditorFactory,
                             ModeratorFactory, SourceFactory, TopicFactory, confirm_email)
source = SourceFactory(name="The Harbour Ledger", slug="harbour-ledger")
topic = TopicFactory(name="Harbour", slug="harbour", in_navigation=True)
ArticleFactory(title="Ferry timetable changes for the winter", slug="ferry-timetable",
               source=source, topics=[topic], byline="Ines Marlow")
ArticleFactory(title="Lighthouse keeper retires", slug="lighthouse-keeper", source=source)
EditorFactory(username="ines", email="ines@example.org")
confirm_email(ModeratorFactory(email="mod@example.org", display_name="Mod Sam"))
ConfirmedReaderFactory(email="ada@example.org", display_name="Ada Quayside")
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _clear_cache():
    """The suite's own cache stays as it is: the stack has its own Redis."""
    yield


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    # A CI timeout's SIGTERM unwinds like Ctrl-C, so every process of the stack is stopped.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    stack = Stack(tmp_path_factory.mktemp("e2e"))
    try:
        stack.start()
        stack.run(SEED)
        yield stack
    finally:
        stack.stop()
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@pytest.fixture
def new_page(chromium):  # noqa: F811 - the fixture imported above
    """new_page() opens a page in a fresh browser context (a reader of their own)."""
    contexts = []

    def open_page():
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
