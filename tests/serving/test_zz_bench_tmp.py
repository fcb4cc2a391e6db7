import time, statistics
import pytest
from django.core.cache import cache, caches
from django.utils import timezone
from serving.cache import local_pages
from tests import factories

pytestmark = pytest.mark.django_db


def _clear():
    cache.clear(); caches["fragments"].clear(); local_pages.clear()


def test_bench(client, settings, capsys):
    settings.PAGE_CACHE_TIMEOUT = 600
    settings.PAGE_CACHE_LOCAL_SECONDS = 0.5
    sources = [factories.SourceFactory() for _ in range(10)]
    topics = [factories.TopicFactory(in_navigation=i < 5) for i in range(8)]
    arts = []
    for i in range(120):
        a = factories.ArticleFactory(source=sources[i % 10], byline=f"Writer {i % 7}",
                                     published_at=timezone.now() - timezone.timedelta(minutes=i * 7))
        a.topics.set([topics[i % 8]])
        arts.append(a)
    for a in arts[:30]:
        factories.CommentFactory(article=a)
    urls = ["/", arts[5].get_absolute_url(), sources[3].get_absolute_url(), "/authors/writer-3/", "/api/v1/articles"]
    out = []
    for url in urls:
        misses, hits = [], []
        for _ in range(7):
            _clear()
            t = time.perf_counter(); r = client.get(url); misses.append(time.perf_counter() - t)
            assert r.status_code == 200
            for _ in range(20):
                t = time.perf_counter(); r2 = client.get(url); hits.append(time.perf_counter() - t)
        keys = len((r.get("xkey") or "").split())
        out.append(f"{url:45} miss {statistics.median(misses)*1000:7.1f} ms  hit {statistics.median(hits)*1000:6.2f} ms  tags {keys}  state {r2.get('X-Page-Cache')}")
    with capsys.disabled():
        print("\n" + "\n".join(out))
