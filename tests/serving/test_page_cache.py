"""Whole-page cache for anonymous readers: zero SQL on a hit, fresh at once after a change."""

import time

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Article, Correction
from serving import tags
from serving.page_store import local_pages
from serving.tags import bump_tags
from tests.factories import ArticleFactory, PromoFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _long_page_cache(settings):
    # Without Redis pages live one second; tests must not race that clock.
    settings.PAGE_CACHE_TIMEOUT = 600


def _url(article):
    return reverse("articles:detail", kwargs={"slug": article.slug})


def _page_urls(article, topic):
    return [
        reverse("articles:home"),
        _url(article),
        article.source.get_absolute_url(),
        topic.get_absolute_url(),
        reverse("syndication:feed_latest_rss"),
    ]


def test_cache_hit_takes_zero_queries(client, django_assert_num_queries):
    topic = TopicFactory(in_navigation=True)
    article = ArticleFactory(topics=[topic])
    PromoFactory()
    for url in _page_urls(article, topic):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first["X-Page-Cache"] == "miss"
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again["X-Page-Cache"] == "hit"
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"]


def test_head_request_served_from_cache(client, django_assert_num_queries):
    article = ArticleFactory()
    client.get(_url(article))
    with django_assert_num_queries(0):
        response = client.head(_url(article))
    assert response.status_code == 200


def test_query_string_is_part_of_the_key(client):
    for n in range(25):
        ArticleFactory(title=f"Ferry timetable change {n}")
    page1 = client.get("/?page=1")
    page2 = client.get("/?page=2")
    assert page2["X-Page-Cache"] == "miss"
    assert page1.content != page2.content


def test_publish_makes_pages_fresh_at_once(client, editor, django_capture_on_commit_callbacks):
    article = ArticleFactory(title="Old news on the quay")
    draft = ArticleFactory(title="Breaking: lighthouse relit", status=Article.Status.DRAFT)
    assert "Breaking: lighthouse relit" not in client.get("/").content.decode()
    assert client.get(_url(draft)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish(article=draft, author=editor, when=timezone.now())
    home = client.get("/")
    assert home["X-Page-Cache"] == "miss"
    assert "Breaking: lighthouse relit" in home.content.decode()
    assert client.get(_url(draft)).status_code == 200
    assert "Breaking: lighthouse relit" in client.get(_url(article)).content.decode()


def test_edit_makes_article_fresh(client, django_capture_on_commit_callbacks):
    article = ArticleFactory(title="Bridge closed for repairs")
    assert "Bridge closed" in client.get(_url(article)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Bridge reopens after repairs"
        article.save()
    body = client.get(_url(article)).content.decode()
    assert "Bridge reopens after repairs" in body


def test_withdraw_removes_article_from_cached_pages(client, editor):
    article = ArticleFactory(title="Mayor resigns over parking")
    assert client.get(_url(article)).status_code == 200
    assert "Mayor resigns" in client.get("/").content.decode()
    publishing.unpublish(article=article, author=editor)
    assert client.get(_url(article)).status_code == 404
    assert "Mayor resigns" not in client.get("/").content.decode()


def test_correction_and_topic_changes_invalidate(client):
    topic = TopicFactory(name="Harbour")
    article = ArticleFactory(topics=[topic])
    client.get(_url(article))
    Correction.objects.create(article=article, text="The quay is 40 metres long, not 400.")
    assert "not 400" in client.get(_url(article)).content.decode()
    topic.name = "Harbour and coast"
    topic.save()
    assert "Harbour and coast" in client.get(_url(article)).content.decode()


def test_bump_tags_makes_only_the_pages_carrying_the_tag_stale(client, django_assert_num_queries):
    """A comment becoming visible or not bumps the list of its article's comments; only
    the pages that read that list go stale."""
    article = ArticleFactory()
    other = ArticleFactory()
    client.get(_url(article))
    client.get(_url(other))
    bump_tags([f"list:comment:article={article.pk}"])
    assert client.get(_url(article))["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert client.get(_url(article))["X-Page-Cache"] == "hit"
        assert client.get(_url(other))["X-Page-Cache"] == "hit"


def test_bump_tags_works_on_an_empty_cache(client, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):  # published at the commit
        bump_tags(["promo"])
    assert cache.get(tags.KEY_PREFIX + "promo") is not None


def test_signed_in_reader_always_gets_a_fresh_page(client, reader):
    article = ArticleFactory(title="Tide tables for the week")
    anonymous = Client()
    anonymous.get(_url(article))
    client.force_login(reader)
    response = client.get(_url(article))
    assert "X-Page-Cache" not in response
    assert reader.public_name in response.content.decode()
    # The anonymous copy never shows the reader's name, and the reader never gets it.
    cached = anonymous.get(_url(article))
    assert cached["X-Page-Cache"] == "hit"
    assert reader.public_name not in cached.content.decode()


def test_pages_with_a_csrf_token_are_not_cached(rf):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token
    from django.template import Context, Template

    from serving.cache import cache_for_anonymous

    calls = []

    @cache_for_anonymous(query=())
    def view(request):
        calls.append(1)
        return HttpResponse(Template("{{ token }}").render(Context({"token": get_token(request)})))

    view(rf.get("/form/"))
    view(rf.get("/form/"))
    assert len(calls) == 2


def test_responses_setting_cookies_are_not_cached(rf):
    from django.http import HttpResponse

    from serving.cache import cache_for_anonymous

    calls = []

    @cache_for_anonymous(query=())
    def view(request):
        calls.append(1)
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    view(rf.get("/cookie/"))
    view(rf.get("/cookie/"))
    assert len(calls) == 2


def test_not_found_is_not_cached(client):
    assert client.get("/articles/not-yet/").status_code == 404
    article = ArticleFactory(slug="not-yet")
    assert client.get(_url(article)).status_code == 200


def test_scheduled_article_appears_when_its_time_comes(client):
    """No write happens at publication time: the cached page must expire by itself."""
    from django.core.cache import cache

    from serving.cache import _page_key

    ArticleFactory(title="Already out")
    soon = ArticleFactory(
        # Sooner than PAGE_CACHE_TIMEOUT, so the schedule is what bounds the page's life.
        title="Ferry strike called off",
        published_at=timezone.now() + timezone.timedelta(minutes=5),
    )
    assert "Ferry strike" not in client.get("/").content.decode()
    # The cached home page carries the scheduled time as its expiry.
    from django.test import RequestFactory

    key = _page_key(RequestFactory().get("/"), ["page"])
    entry = cache.get(key)
    assert entry["fresh_until"] == pytest.approx(soon.published_at.timestamp())
    # Move the schedule into the past directly in the table (no signal, as time passing).
    Article.objects.filter(pk=soon.pk).update(
        published_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    entry["fresh_until"] = timezone.now().timestamp() - 1
    cache.set(key, entry)
    local_pages.clear()  # this process's copy holds the same expiry; time moved for it too
    assert "Ferry strike called off" in client.get("/").content.decode()


def test_source_page_cached_and_fresh(client, django_assert_num_queries):
    source = SourceFactory(name="Harbour Gazette")
    ArticleFactory(source=source, title="Gazette story one")
    client.get(source.get_absolute_url())
    with django_assert_num_queries(0):
        client.get(source.get_absolute_url())
    ArticleFactory(source=source, title="Gazette story two")
    assert "Gazette story two" in client.get(source.get_absolute_url()).content.decode()


def test_post_is_never_cached_and_not_allowed(client):
    article = ArticleFactory()
    assert client.post(_url(article)).status_code == 405


def test_signed_in_article_page_reuses_shared_fragments(client, reader, django_assert_num_queries):
    """Signed-in pages are rendered each time, but the parts every reader shares come from
    the cache, the article itself included: only the session (with its user) is queried. What
    the comments section must know of this reader (confirmed, banned, any comment of their
    own here) is their cached record, read on their first page; the thread itself is
    shared (tests/comments)."""
    topic = TopicFactory(in_navigation=True)
    article = ArticleFactory(topics=[topic])
    ArticleFactory(topics=[topic], title="A related story about piers")
    PromoFactory()
    client.force_login(reader)
    first = client.get(_url(article)).content.decode()
    with django_assert_num_queries(1):  # the session with its user
        again = client.get(_url(article)).content.decode()
    assert "A related story about piers" in again
    assert again.count("Try our new features") == first.count("Try our new features") == 1


def test_signed_in_reader_sees_edits_at_once(client, reader):
    topic = TopicFactory(in_navigation=True, name="Coast")
    article = ArticleFactory(topics=[topic])
    client.force_login(reader)
    client.get(_url(article))
    Correction.objects.create(article=article, text="The pier opened in 1902, not 1920.")
    ArticleFactory(topics=[topic], title="Fresh related story on the dunes")
    topic.name = "Coast and dunes"
    topic.save()
    body = client.get(_url(article)).content.decode()
    assert "not 1920" in body
    assert "Fresh related story on the dunes" in body
    assert "Coast and dunes" in body


def test_local_copy_rechecks_the_shared_versions_within_its_window(client, settings):
    """With PAGE_CACHE_LOCAL_SECONDS, hits come from process memory; a change made by
    another server (a tag's shared version moving, the change counter and its log) is
    seen once the window has passed, a change made in this process at once."""
    import time

    from django.core.cache import cache

    settings.PAGE_CACHE_LOCAL_SECONDS = 0.3
    article = ArticleFactory()
    url = _url(article)
    client.get(url)  # miss: rendered and stored
    assert client.get(url)["X-Page-Cache"] == "hit"  # from the shared cache, now local too
    # Another server published something: the shared version and counter move, not this
    # process's memory.
    cache.set(tags.KEY_PREFIX + f"article:{article.pk}", tags.new_version())
    counter = cache.incr(tags.COUNTER_KEY)
    cache.set(f"{tags.LOG_KEY_PREFIX}{counter}", {f"article:{article.pk}"})
    assert client.get(url)["X-Page-Cache"] == "hit"  # within the window: the local copy
    time.sleep(0.35)
    assert client.get(url)["X-Page-Cache"] == "miss"  # window over: fresh render
    assert client.get(url)["X-Page-Cache"] == "hit"
    bump_tags([f"article:{article.pk}"])  # a change in this process: no waiting
    assert client.get(url)["X-Page-Cache"] == "miss"


def test_local_copy_serves_without_touching_the_shared_cache(
    client, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_LOCAL_SECONDS = 30
    article = ArticleFactory()
    client.get(_url(article))
    client.get(_url(article))
    from django.core.cache import cache

    cache.clear()  # the shared copy is gone; the local one still answers
    with django_assert_num_queries(0):
        assert client.get(_url(article))["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_promo_start_or_end_bounds_the_page_life(client, field):
    """A promo starting or ending later changes the page by itself: the page expires then."""
    from django.core.cache import cache
    from django.test import RequestFactory

    from serving.cache import _page_key

    article = ArticleFactory()
    at = timezone.now() + timezone.timedelta(minutes=5)
    PromoFactory(**{field: at})
    client.get(_url(article))
    entry = cache.get(_page_key(RequestFactory().get(_url(article)), ["order", "cpage"]))
    assert entry["fresh_until"] == pytest.approx(at.timestamp())


def test_signed_in_reader_gets_the_article_fresh_from_its_cached_lookup(client, reader):
    """The article itself is looked up once per version of its tags (serving.cache), yet a
    signed-in reader sees an edit, a source rename and a withdrawal at once."""
    article = ArticleFactory(title="Harbour wall repaired")
    client.force_login(reader)
    assert "Harbour wall repaired" in client.get(_url(article)).content.decode()
    article.title = "Harbour wall repaired ahead of storms"
    article.save()
    assert "ahead of storms" in client.get(_url(article)).content.decode()
    article.source.name = "Quayside Courier"
    article.source.save()
    assert "Quayside Courier" in client.get(_url(article)).content.decode()
    article.status = Article.Status.WITHDRAWN
    article.save()
    assert client.get(_url(article)).status_code == 404


def test_scheduled_article_appears_on_time_for_signed_in_readers(client, reader):
    article = ArticleFactory(published_at=timezone.now() + timezone.timedelta(seconds=1))
    client.force_login(reader)
    assert client.get(_url(article)).status_code == 404
    # No write at all: the time passing is enough (visibility is decided per request).
    time.sleep(1.1)
    assert client.get(_url(article)).status_code == 200


def test_unknown_article_is_a_404_every_time_and_not_remembered(client, reader):
    client.force_login(reader)
    assert client.get("/articles/no-such-story/").status_code == 404
    kept = len(caches["fragments"]._local._cache)  # the 404 page's header and footer
    # Made-up addresses leave nothing in the cache to crowd out real fragments...
    for n in range(5):
        assert client.get(f"/articles/made-up-{n}/").status_code == 404
    assert len(caches["fragments"]._local._cache) == kept
    # ...and a story published at that address later is found at once.
    ArticleFactory(slug="no-such-story", title="Now there is such a story")
    assert "Now there is such a story" in client.get("/articles/no-such-story/").content.decode()


@pytest.mark.parametrize(
    "url_name",
    ["syndication:feed_latest_rss", "syndication:feed_latest_atom", "syndication:sitemap_index"],
)
def test_made_up_host_port_scheme_or_parameter_shares_the_canonical_copy(
    client, django_assert_num_queries, url_name
):
    """Pages, feeds and sitemaps are built on SITE_URL, never on the request's Host or
    scheme, so a client varying the Host port, the scheme or an unread query parameter
    gets the one stored copy instead of forcing a render (issue 27's probe)."""
    ArticleFactory(title="Gull Reef lifeboat launched")
    url = reverse(url_name)
    first = client.get(url)
    assert first.status_code == 200
    for extra in (
        {"HTTP_HOST": "127.0.0.1:9999"},
        {"HTTP_HOST": "localhost:1"},
        {"secure": True},
        {"data": {"utm_source": "x", "fbclid": "y"}},
    ):
        with django_assert_num_queries(0):
            again = client.get(url, **extra)
        assert again["X-Page-Cache"] == "hit", extra
        assert again.content == first.content
        assert b"localhost:1" not in again.content and b"9999" not in again.content


def test_api_links_are_on_site_url_whatever_the_host(client, settings):
    settings.SITE_URL = "https://news.example"
    ArticleFactory.create_batch(3)
    body = client.get("/api/v1/articles?limit=1", HTTP_HOST="localhost:1", secure=True).json()
    assert body["next"].startswith("https://news.example/api/v1/articles?")
    assert body["items"][0]["url"].startswith("https://news.example/articles/")


def test_a_cached_view_must_say_which_parameters_it_reads():
    from serving.cache import cache_for_anonymous

    with pytest.raises(TypeError, match="query="):
        cache_for_anonymous(lambda request: None)
    with pytest.raises(TypeError, match="query="):
        cache_for_anonymous(tags=["promo"])
