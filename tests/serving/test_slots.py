"""Slots (serving/slots.py): a card's comment count is filled after the page renders, and
filled again (not rendered again) when only the count changed."""

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from comments import services
from serving import slots
from tests.factories import ArticleFactory, CommentFactory, ConfirmedReaderFactory

pytestmark = pytest.mark.django_db


def test_no_placeholder_reaches_a_reader(client, reader):
    discussed = ArticleFactory(title="Quay lamps")
    ArticleFactory.create_batch(3)
    CommentFactory.create_batch(2, article=discussed)
    signed_in = Client()
    signed_in.force_login(reader)
    for who in (client, signed_in):
        for url in (reverse("articles:home"), discussed.source.get_absolute_url()):
            page = who.get(url).content.decode()
            assert "<!--slot:" not in page
            assert "2 comments" in page


def test_what_a_reader_writes_is_never_taken_for_a_slot(client, moderator):
    article = ArticleFactory()
    fake = slots.placeholder("comment-count", article.pk)  # even knowing the token
    comment = services.post_comment(
        article=article, author=ConfirmedReaderFactory(), body=f"Look: {fake} here."
    )
    services.comment_approve(comment=comment, moderator=moderator)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Look: &lt;!--slot:" in page  # escaped like any other text
    assert "1 comment<" not in page.split("Look:")[1].split("here.")[0]


def test_a_refilled_page_is_the_page_a_render_gives(client, moderator, settings):
    ArticleFactory.create_batch(5)
    discussed = ArticleFactory(title="Pier lamps relit")
    home = reverse("articles:home")
    client.get(home)
    comment = services.post_comment(
        article=discussed, author=ConfirmedReaderFactory(), body="Good to see them lit."
    )
    services.comment_approve(comment=comment, moderator=moderator)
    refilled = client.get(home)
    assert refilled["X-Page-Cache"] == "refill"
    settings.PAGE_CACHE_ENABLED = False
    fresh = client.get(home)
    assert refilled.content.decode() == fresh.content.decode()
    assert "1 comment<" in fresh.content.decode()


def test_a_change_outside_the_slots_renders_the_page(client):
    article = ArticleFactory(title="Harbour wall repaired")
    home = reverse("articles:home")
    client.get(home)
    article.title = "Harbour wall repaired at last"
    article.save()
    page = client.get(home)
    assert page["X-Page-Cache"] == "miss"
    assert "Harbour wall repaired at last" in page.content.decode()


def _home_entry(home: str) -> dict:
    from django.core.cache import cache
    from django.test import RequestFactory
    from django.urls import resolve

    from serving.cache import _page_key

    request = RequestFactory().get(home)
    return cache.get(_page_key(request, resolve(home).func.page_cache_query))


def test_a_refill_keeps_the_page_no_longer_than_its_render(client, moderator, settings):
    """A refill fills the slots of a page rendered earlier: what is around them (each
    card's "2 hours ago", or the state a render that raced a write may have read) is as
    old as that render. Kept as long again from the refill, a page whose cards get a
    comment every few minutes would never be rendered again."""
    settings.PAGE_CACHE_TIMEOUT = 600
    ArticleFactory.create_batch(3)
    discussed = ArticleFactory(title="Quay lamps")
    home = reverse("articles:home")
    client.get(home)
    rendered = _home_entry(home)
    comment = services.post_comment(
        article=discussed, author=ConfirmedReaderFactory(), body="Bright at last."
    )
    services.comment_approve(comment=comment, moderator=moderator)
    assert client.get(home)["X-Page-Cache"] == "refill"
    refilled = _home_entry(home)
    assert "1 comment<" in refilled["content"].decode()
    assert refilled["fresh_until"] <= rendered["fresh_until"]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("comment-count", "--><script>alert(1)</script><!--"),  # printed as it is
        ("comment-count", "7 8"),
        ("comment_count", 7),  # never matched, so never filled: the token shown
        ("Comment-Count", 7),
        ("comment-count", "٧"),  # a digit, but not one an id is written with
    ],
)
def test_a_placeholder_no_fill_would_find_is_refused(name, key):
    with pytest.raises(ValueError):
        slots.placeholder(name, key)


def test_a_placeholder_is_filled_whatever_its_valid_key(db):
    article = ArticleFactory()
    CommentFactory(article=article)
    for key in (article.pk, str(article.pk)):
        html = f"<p>{slots.placeholder('comment-count', key)}</p>"
        assert slots.fill(html)[0] == '<p> · <span class="card__comments">1 comment</span></p>'


def test_a_filled_page_never_answers_with_the_etag_of_its_placeholders(rf, moderator):
    """A view's ETag describes the page it returned, placeholders and all: the same for
    any count. Kept after the fill, a reader would be told "not modified" (a 304) with
    the old count."""
    from django.middleware.http import ConditionalGetMiddleware
    from django.utils.cache import set_response_etag

    article = ArticleFactory()

    def view(request):
        response = HttpResponse(f"<p>{slots.placeholder('comment-count', article.pk)}</p>")
        return set_response_etag(response)

    chain = ConditionalGetMiddleware(slots.SlotMiddleware(view))
    before = chain(rf.get("/"))
    comment = services.post_comment(
        article=article, author=ConfirmedReaderFactory(), body="Bright at last."
    )
    services.comment_approve(comment=comment, moderator=moderator)
    after = chain(rf.get("/", headers={"If-None-Match": before["ETag"]}))
    assert after.status_code == 200 and "1 comment<" in after.content.decode()


def test_a_stored_page_never_keeps_the_etag_of_its_placeholders(rf, moderator):
    """The same for a page the page cache stores: its ETag is the filled page's."""
    from django.core.cache import cache
    from django.utils.cache import set_response_etag

    from serving.cache import cache_for_anonymous
    from serving.page_store import local_pages

    article = ArticleFactory()

    @cache_for_anonymous(query=())
    def view(request):
        response = HttpResponse(f"<p>{slots.placeholder('comment-count', article.pk)}</p>")
        return set_response_etag(response)

    first = view(rf.get("/counted/"))
    comment = services.post_comment(
        article=article, author=ConfirmedReaderFactory(), body="Bright at last."
    )
    services.comment_approve(comment=comment, moderator=moderator)
    cache.clear()  # the entry expired: the page renders again
    local_pages.clear()
    second = view(rf.get("/counted/"))
    assert second["X-Page-Cache"] == "miss" and "1 comment<" in second.content.decode()
    assert second["ETag"] != first["ETag"]


def test_a_slot_whose_filler_cannot_reach_the_database_is_a_503(client, reader, settings):
    """The fill runs after the view, outside the middleware that turns a database
    outage or a statement timeout into the 503 page: the 500 handler tells it apart."""
    settings.PAGE_SLOTS = {"comment-count": f"{__name__}.unreachable_filler"}
    ArticleFactory.create_batch(2)
    client.force_login(reader)
    client.raise_request_exception = False
    response = client.get(reverse("articles:home"))
    assert response.status_code == 503
    assert "<!--slot:" not in response.content.decode()


def unreachable_filler(keys):
    """A filler whose query hit the statement timeout (DB_STATEMENT_TIMEOUT)."""
    from django.db import OperationalError

    raise OperationalError("canceling statement due to statement timeout")


def test_no_placeholder_reaches_anyone_on_any_page(client, reader, settings):
    """Every address the freshness test reads (pages, feeds, sitemaps, the API), stored
    by a HEAD or a GET, then hit, signed in or not; and pages that are not stored: a 404,
    the following page."""
    from tests.serving import freshness

    settings.PAGE_CACHE_TIMEOUT = 600
    site = freshness.build_site()
    signed_in = Client()
    signed_in.force_login(reader)
    urls = [u for addresses in freshness.pages(site).values() for u in addresses]
    urls += ["/articles/no-such-article/", reverse("following:page")]
    counted = set()
    # HEAD first: a HEAD miss stores the page the GET after it is served (the test
    # client drops a HEAD response's body, as servers do).
    for who, methods in ((client, "head get"), (client, "get"), (signed_in, "get")):
        for url in urls:
            for method in methods.split():
                response = getattr(who, method)(url)
                assert b"<!--slot:" not in response.content, url
                if method == "get" and response.has_header("Content-Length"):
                    assert response["Content-Length"] == str(len(response.content)), url
                if b'class="card__comments"' in response.content:
                    counted.add(url)
    # Pages with slots were read: their cards showed counts.
    assert len(counted) >= 3, counted


def test_loose_and_strict_slots_are_filled_alike_and_only_strict_ones_followed(db):
    """One article as a card of the page (strict) and as a related card (loose): both
    show its count; the page follows the strict card's count only."""
    shown, related = ArticleFactory(), ArticleFactory()
    CommentFactory(article=shown)
    CommentFactory.create_batch(2, article=related)
    html = "|".join(
        (
            slots.placeholder("comment-count", shown.pk),
            slots.placeholder("comment-count", shown.pk, loose=True),
            slots.placeholder("comment-count", related.pk, loose=True),
        )
    )
    filled, followed = slots.fill(html)
    assert [part.count("comment") for part in filled.split("|")] == [2, 2, 2]
    assert "1 comment<" in filled.split("|")[1] and "2 comments<" in filled.split("|")[2]
    assert any(t.endswith(f"={shown.pk}") for t in followed)
    assert not any(t.endswith(f"={related.pk}") for t in followed)


def test_a_count_and_something_else_changed_together_render_the_page(client, moderator):
    """Only a page whose every changed tag is a slot's is filled again: a comment
    approved and another card's article retitled since the page was kept is a render."""
    retitled = ArticleFactory(title="Harbour wall repaired")
    discussed = ArticleFactory(title="Quay lamps")
    home = reverse("articles:home")
    client.get(home)
    comment = services.post_comment(
        article=discussed, author=ConfirmedReaderFactory(), body="Bright at last."
    )
    services.comment_approve(comment=comment, moderator=moderator)
    retitled.title = "Harbour wall repaired at last"
    retitled.save()
    page = client.get(home)
    assert page["X-Page-Cache"] == "miss"
    assert "Harbour wall repaired at last" in page.content.decode()
    assert "1 comment<" in page.content.decode()


def test_a_kept_page_weighs_what_it_holds_with_its_unfilled_copy_compressed(client, moderator):
    """The per-process copy's size limit counts the unfilled page kept for refills, and
    that copy is compressed: a page with one emoji in it (a str of four bytes a
    character) is not kept as several times its size in every process."""
    from serving.page_store import local_pages, unpack_raw

    ArticleFactory.create_batch(3, title="Night market opens 🌙 by the quay")
    home = reverse("articles:home")
    local_pages.clear()
    client.get(home)
    client.get(home)  # a hit: the copy in this process's memory
    entry = _home_entry(home)
    assert isinstance(entry["raw"], bytes)
    unfilled = unpack_raw(entry["raw"])
    assert slots.holds_slots(unfilled) and "🌙" in unfilled
    assert len(entry["raw"]) < len(unfilled.encode()) / 2
    assert local_pages.size == len(entry["content"]) + len(entry["raw"])
