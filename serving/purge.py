"""Tell the HTTP caches in front of the site (Varnish, a CDN) which tags changed.

`purge_tags(tags)` sends one `PURGE` request with an `xkey` header listing the tags, and
`X-Purge-Secret: PURGE_SECRET` (the VCL refuses a purge without it), to each URL in
`PURGE_URLS` (the VCL in deploy/varnish/ soft-purges every page carrying one
of them). `serving.tasks.schedule_purge(tags)`, called by serving.tags.bump_tags once a
write has committed,
enqueues it as the task `serving.tasks.purge` (docs/tasks.md): the request that wrote
never waits for a cache, a purge survives the process that wrote it, and one that fails
is retried with backoff by the task worker (jobs/retry.py) and stays visible in the
admin's task results with its error and tags; never dropped silently. A purge runs no
sooner than every app server has seen the new tag versions (PAGE_CACHE_LOCAL_SECONDS,
plus a margin): sent sooner, the cache's refetch could get the old page from a server
that has not yet noticed, and keep it.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Iterable

from django.conf import settings

logger = logging.getLogger(__name__)

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
    secret = getattr(settings, "PURGE_SECRET", "")
    for url in purge_urls():
        for start in range(0, len(tags), BATCH):
            keys = " ".join(tags[start : start + BATCH])
            headers = {"xkey": keys, **({"X-Purge-Secret": secret} if secret else {})}
            request = urllib.request.Request(url, method="PURGE", headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    response.read()
            except (urllib.error.URLError, OSError) as exc:
                failed.append(f"{url}: {exc}")
                break
    if failed:
        raise PurgeFailed("; ".join(failed))
