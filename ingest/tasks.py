"""The feed work the task worker runs lives beside the code that enqueues it, so no module
of ingest imports one that imports it back (tests/test_import_contracts.py): a poll of one
source in `scheduling.py` (`poll_feed`, enqueued by the scheduler's tick and the admin's
"Fetch now"), the full text of a poll's entries in `fulltext.py` (`fetch_full_texts`,
enqueued by the importer). Named here for the admin and the tests."""

from .fulltext import fetch_full_texts
from .scheduling import poll_feed

__all__ = ["fetch_full_texts", "poll_feed"]
