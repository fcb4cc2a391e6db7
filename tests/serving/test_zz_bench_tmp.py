import time

import pytest
from django.test import Client

from serving import metrics
from tests.factories import ArticleFactory

N = 10_000


def _run(url):
    c = Client()
    c.get(url)
    started = time.perf_counter()
    for _ in range(N):
        r = c.get(url)
    assert r["X-Page-Cache"] == "hit"
    return time.perf_counter() - started


@pytest.mark.django_db
def test_bench(settings, monkeypatch):
    settings.PAGE_CACHE_TIMEOUT = 600
    settings.PAGE_CACHE_LOCAL_SECONDS = 60
    url = ArticleFactory().get_absolute_url()
    full = list(settings.MIDDLEWARE)
    bare = [m for m in full if "RequestMetrics" not in m]
    results = {"with": [], "without": []}
    real = metrics.page_cache
    for _ in range(5):
        settings.MIDDLEWARE = full
        monkeypatch.setattr(metrics, "page_cache", real)
        results["with"].append(_run(url))
        settings.MIDDLEWARE = bare
        monkeypatch.setattr(metrics, "page_cache", lambda result: None)
        results["without"].append(_run(url))
    for k, v in results.items():
        print(f"\nBENCH {k}: best {min(v) / N * 1e6:.1f} us/hit, median {sorted(v)[2] / N * 1e6:.1f} us/hit")
