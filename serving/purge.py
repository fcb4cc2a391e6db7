"""Tell the HTTP caches in front of the site (Varnish, a CDN) which tags changed.

`purge_tags(tags)` sends one `PURGE` request with an `xkey` header listing the tags to
each URL in `PURGE_URLS` (the VCL in deploy/varnish/ soft-purges every page carrying one
of them). It is a plain function so that a task queue can run it; until then
`schedule()` hands it to one background thread per process, off the request that wrote:
tags waiting together go out in one request, a failure is logged and retried with a
growing delay, and one still failing after the last try is logged as an error with its
tags (never dropped silently). A purge waits until every app server has seen the new tag
versions (PAGE_CACHE_LOCAL_SECONDS, plus a margin): sent sooner, the cache's refetch
could get the old page from a server that has not yet noticed, and keep it. At exit the
process waits a few seconds for what is queued, so a management command's purges are
sent too.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable

from django.conf import settings

logger = logging.getLogger(__name__)

RETRY_DELAYS = (0.2, 1.0, 5.0, 30.0)
# Tags per request: Varnish's default http_req_hdr_len is 8 KB.
BATCH = 200


class PurgeFailed(Exception):
    pass


def purge_urls() -> list[str]:
    return list(getattr(settings, "PURGE_URLS", []) or [])


def purge_tags(tags: Iterable[str]) -> None:
    """Purge every page carrying one of `tags` from each cache in PURGE_URLS, now.

    Raises PurgeFailed naming the caches that did not answer 2xx."""
    tags = sorted(set(tags))
    timeout = float(getattr(settings, "PURGE_TIMEOUT", 2))
    failed = []
    for url in purge_urls():
        for start in range(0, len(tags), BATCH):
            keys = " ".join(tags[start : start + BATCH])
            request = urllib.request.Request(url, method="PURGE", headers={"xkey": keys})
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    response.read()
            except (urllib.error.URLError, OSError) as exc:
                failed.append(f"{url}: {exc}")
                break
    if failed:
        raise PurgeFailed("; ".join(failed))


class _Worker:
    """One daemon thread per process sending queued purges, with retries."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[set[str], float]] = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def submit(self, tags: set[str], not_before: float) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="purge", daemon=True)
                self.thread.start()
        self.queue.put((tags, not_before))

    def _run(self) -> None:
        while True:
            (tags, not_before), taken = self.queue.get(), 1
            time.sleep(max(0.0, not_before - time.monotonic()))
            # Everything waiting goes out in one request.
            while True:
                try:
                    more, later = self.queue.get_nowait()
                except queue.Empty:
                    break
                tags |= more
                taken += 1
                time.sleep(max(0.0, later - time.monotonic()))
            self._send(tags)
            for _ in range(taken):
                self.queue.task_done()

    def _send(self, tags: set[str]) -> None:
        for attempt, delay in enumerate((0.0, *RETRY_DELAYS)):
            if delay:
                time.sleep(delay)
            try:
                purge_tags(tags)
                return
            except Exception as exc:  # noqa: BLE001 - logged, retried, reported below
                logger.warning(
                    "Purge of %d tag(s) failed (try %d): %s", len(tags), attempt + 1, exc
                )
        logger.error(
            "Purge gave up after %d tries; stale tags: %s",
            len(RETRY_DELAYS) + 1,
            " ".join(sorted(tags)),
        )

    def drain(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds until nothing is queued or being sent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.queue.unfinished_tasks:
                return True
            time.sleep(0.02)
        return False


worker = _Worker()


def schedule(tags: Iterable[str]) -> None:
    """Purge `tags` in the background (after the write committed: see serving.cache)."""
    tags = set(tags)
    if tags and purge_urls():
        delay = float(getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0) or 0)
        worker.submit(tags, time.monotonic() + (delay + 0.1 if delay else 0))


@atexit.register
def _drain_at_exit() -> None:
    if worker.thread is not None and not worker.drain(5.0):
        logger.error("Exiting with purges still queued or failing")
