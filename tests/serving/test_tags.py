"""Dependency tags: a write makes stale only the pages built from what it changed; one
render per stale page; what shared caches are told; purges after commit."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Article
from comments import services
from ingest.models import FeedState
from serving.cache import LOCK_KEY_PREFIX, _page_key
from serving.tags import bump_tags
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    ConfirmedReaderFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _long_page_cache(settings):
    settings.PAGE_CACHE_TIMEOUT = 600


def _url(article):
    return reverse("articles:detail", kwargs={"slug": article.slug})


def _state(client, url):
    return client.get(url)["X-Page-Cache"]


def _key(url, query=("order", "cpage")):
    return _page_key(RequestFactory().get(url), query)


def test_approving_a_comment_makes_only_its_article_and_lists_stale(client, moderator):
    harbour, valley = SourceFactory(), SourceFactory()
    seven = ArticleFactory(source=harbour)
    other = ArticleFactory(source=valley)
    urls = [_url(seven), _url(other), valley.get_absolute_url(), harbour.get_absolute_url()]
    for url in urls:
        client.get(url)
    comment = CommentFactory(article=seven, status="pending")
    services.comment_approve(comment=comment, moderator=moderator)
    assert _state(client, _url(seven)) == "miss"
    assert comment.body in client.get(_url(seven)).content.decode()
    # Seven's card is on its source's page: its comment count, a slot (serving/slots.py),
    # is filled again; the page is not rendered again.
    assert _state(client, harbour.get_absolute_url()) == "refill"
    assert _state(client, _url(other)) == "hit"
    assert _state(client, valley.get_absolute_url()) == "hit"


def test_a_pending_comment_changes_no_page(client):
    article = ArticleFactory()
    client.get(_url(article))
    CommentFactory(article=article, status="pending")
    assert _state(client, _url(article)) == "hit"


def test_publishing_makes_its_pages_stale_and_leaves_other_sources_and_topics(client, editor):
    coast, farms = TopicFactory(), TopicFactory()
    harbour, valley = SourceFactory(), SourceFactory()
    draft = ArticleFactory(source=harbour, topics=[coast], status=Article.Status.DRAFT)
    ArticleFactory(source=valley, topics=[farms])
    pages = {
        "home": "/",
        "source": harbour.get_absolute_url(),
        "topic": coast.get_absolute_url(),
        "feed": reverse("syndication:feed_latest_rss"),
        "other source": valley.get_absolute_url(),
        "other topic": farms.get_absolute_url(),
    }
    for url in pages.values():
        client.get(url)
    publishing.publish(article=draft, author=editor, when=timezone.now())
    states = {name: _state(client, url) for name, url in pages.items()}
    assert states == {
        "home": "miss",
        "source": "miss",
        "topic": "miss",
        "feed": "miss",
        "other source": "hit",
        "other topic": "hit",
    }


def test_publishing_leaves_the_pages_of_the_sources_other_articles_alone(client, editor):
    # They print the source's name, which a publish does not change; its page lists them.
    harbour = SourceFactory()
    shown = ArticleFactory(source=harbour)
    draft = ArticleFactory(source=harbour, status=Article.Status.DRAFT)
    for url in (_url(shown), harbour.get_absolute_url(), "/"):
        client.get(url)
    publishing.publish(article=draft, author=editor, when=timezone.now())
    assert _state(client, _url(shown)) == "hit"
    page = client.get(harbour.get_absolute_url())
    assert page["X-Page-Cache"] == "miss" and draft.title in page.content.decode()
    # A card of the unchanged article on home is reused (fragment), and says the name.
    assert harbour.name in client.get("/").content.decode()
    # Renaming the source reaches every page that prints its name.
    harbour.name = "Harbour Echo Weekly"
    harbour.save()
    assert "Harbour Echo Weekly" in client.get(_url(shown)).content.decode()
    assert "Harbour Echo Weekly" in client.get("/").content.decode()


def test_moving_an_article_to_another_source_refreshes_both_sources_pages(client):
    harbour, valley, hills = SourceFactory(), SourceFactory(), SourceFactory()
    article = ArticleFactory(source=harbour, title="Pier lights restored")
    pages = {s.name: s.get_absolute_url() for s in (harbour, valley, hills)}
    for url in pages.values():
        client.get(url)
    article.source = valley
    article.save()
    assert {name: _state(client, url) for name, url in pages.items()} == {
        harbour.name: "miss",
        valley.name: "miss",
        hills.name: "hit",
    }
    assert "Pier lights restored" not in client.get(pages[harbour.name]).content.decode()


def test_bookkeeping_writes_change_no_page(client, reader):
    source = SourceFactory(feed_url="https://feeds.example.org/harbour.xml")
    article = ArticleFactory(source=source)
    urls = ["/", _url(article), source.get_absolute_url()]
    for url in urls:
        client.get(url)
    state = FeedState.of(source)
    state.last_fetched_at = timezone.now()
    state.consecutive_failures = 3
    state.save()
    get_user_model().objects.filter(pk=reader.pk).update(last_login=timezone.now())
    reader.last_login = timezone.now()
    reader.save(update_fields=["last_login"])
    assert [_state(client, url) for url in urls] == ["hit", "hit", "hit"]


def test_a_commenters_new_name_makes_their_articles_stale(client):
    author = ConfirmedReaderFactory(display_name="Ada Quay")
    commented, untouched = ArticleFactory(), ArticleFactory()
    CommentFactory(article=commented, author=author)
    client.get(_url(commented))
    client.get(_url(untouched))
    author.display_name = "Ada Harbour"
    author.save()
    assert "Ada Harbour" in client.get(_url(commented)).content.decode()
    assert _state(client, _url(untouched)) == "hit"


def test_made_up_query_parameters_share_the_canonical_page(client, django_assert_num_queries):
    """Issue 18, item 9: only the parameters a view reads are part of the key."""
    ArticleFactory()
    client.get("/")
    with django_assert_num_queries(0):
        for n in range(50):
            assert _state(client, f"/?utm_junk={n}&fbclid=x{n}") == "hit"
    assert _key("/?utm_junk=1&fbclid=2", ["page"]) == _key("/", ["page"])
    assert _state(client, "/?page=2&utm_junk=1") == "miss"  # a parameter home reads


def test_query_parameter_order_does_not_matter(client):
    article = ArticleFactory()
    client.get(f"{_url(article)}?order=newest&cpage=1")
    assert _state(client, f"{_url(article)}?cpage=1&order=newest") == "hit"


def test_a_stale_page_is_served_while_another_request_renders_it(client):
    article = ArticleFactory(title="Tide turns early")
    client.get(_url(article))
    Article.objects.filter(pk=article.pk).update(title="Tide turns late")
    bump_tags([f"article:{article.pk}", "list:articles"])  # what the save would bump
    # Another request holds the page's render lock: this one gets the previous copy.
    key = _key(_url(article))
    cache.set(LOCK_KEY_PREFIX + key, 1, timeout=5)
    stale = client.get(_url(article))
    assert stale["X-Page-Cache"] == "stale"
    assert "Tide turns early" in stale.content.decode()
    assert "max-age=0" in stale["Cache-Control"]
    # The lock gone (that render finished or died), the next request renders.
    cache.delete(LOCK_KEY_PREFIX + key)
    fresh = client.get(_url(article))
    assert fresh["X-Page-Cache"] == "miss" and "Tide turns late" in fresh.content.decode()


def test_shared_pages_say_so_and_list_their_tags(client, settings):
    settings.PAGE_CACHE_MAX_AGE, settings.PAGE_CACHE_S_MAXAGE = 30, 600
    article = ArticleFactory()
    for response in (client.get(_url(article)), client.get(_url(article))):
        assert response["Cache-Control"].startswith("public, max-age=30, s-maxage=")
        assert 590 <= int(response["Cache-Control"].rsplit("=", 1)[1]) <= 600
        keys = response["xkey"].split()
        assert response["Surrogate-Key"] == response["xkey"]
        # Derived from what the page read (serving/dependencies.py).
        assert {f"article:{article.pk}", f"list:comment:article={article.pk}"} <= set(keys)
        assert f"source:{article.source_id}" in keys
        assert "list:article" not in keys  # a publish leaves article pages alone


def test_personal_pages_are_private_and_never_stored(client, reader):
    article = ArticleFactory()
    client.force_login(reader)
    response = client.get(_url(article))
    assert response["Cache-Control"] == "private, no-store"
    assert "xkey" not in response
    assert cache.get(_key(_url(article))) is None


def test_tags_are_purged_from_http_caches_after_commit(
    cache_server, editor, django_capture_on_commit_callbacks
):
    topic = TopicFactory()
    draft = ArticleFactory(topics=[topic], status=Article.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish(article=draft, author=editor, when=timezone.now())
        assert cache_server.seen == []  # nothing before the commit
    # Tests run tasks with the immediate backend: the purge task ran on commit.
    sent = set(" ".join(cache_server.seen).split())
    assert {f"article:{draft.pk}", f"list:article:topics={topic.pk}", "list:article"} <= sent
    assert f"list:article:source={draft.source_id}" in sent
    # The source's name did not change: its other articles' pages and cards stay cached.
    assert f"source:{draft.source_id}" not in sent


def test_withdrawing_an_article_makes_the_pages_linking_to_it_stale(client, editor):
    gone, other = ArticleFactory(), ArticleFactory()
    wire = SourceFactory()
    assert _url(gone) in client.get(_url(other)).content.decode()  # a related card
    ArticleFactory(source=wire)  # publishing another article leaves the page alone...
    assert _state(client, _url(other)) == "hit"
    publishing.unpublish(article=gone, author=editor)  # ...withdrawing one it shows does not
    page = client.get(_url(other))
    assert page["X-Page-Cache"] == "miss" and _url(gone) not in page.content.decode()
