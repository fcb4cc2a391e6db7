"""Public reads: only what the web shows, in pages, cached and invalidated like the web."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from articles.models import Article, Correction
from tests.factories import (
    AgencyFactory,
    ArticleFactory,
    SourceFactory,
    TopicFactory,
    image_bytes,
)

pytestmark = pytest.mark.django_db


def _slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


def test_list_shows_published_articles_newest_first_and_nothing_else(app):
    now = timezone.now()
    old = ArticleFactory(slug="old", published_at=now - timedelta(days=2))
    new = ArticleFactory(slug="new", published_at=now - timedelta(hours=1))
    ArticleFactory(slug="draft", status=Article.Status.DRAFT)
    ArticleFactory(slug="withdrawn", status=Article.Status.WITHDRAWN)
    ArticleFactory(slug="scheduled", published_at=now + timedelta(hours=1))

    assert _slugs(app.get("/api/v1/articles")) == [new.slug, old.slug]


@pytest.mark.parametrize("slug", ["draft", "withdrawn", "scheduled"])
def test_unpublished_articles_are_404_everywhere(app, slug):
    status = Article.Status.PUBLISHED if slug == "scheduled" else slug
    when = timezone.now() + timedelta(hours=1)
    ArticleFactory(slug=slug, status=status, published_at=when, title="Secret harbour plan")

    for path in (f"/api/v1/articles/{slug}", f"/api/v1/articles/{slug}/comments"):
        response = app.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    assert app.get("/api/v1/search", q="secret").json()["count"] == 0


def test_filters_by_source_agency_topic_and_published_range(app):
    now = timezone.now()
    lantern, wire = SourceFactory(slug="lantern"), AgencyFactory(slug="wire")
    harbours = TopicFactory(slug="harbours")
    a = ArticleFactory(slug="a", source=lantern, published_at=now - timedelta(days=3))
    b = ArticleFactory(slug="b", agency=wire, published_at=now - timedelta(days=2))
    c = ArticleFactory(slug="c", topics=[harbours], published_at=now - timedelta(days=1))

    assert _slugs(app.get("/api/v1/articles", source="lantern")) == [a.slug]
    assert _slugs(app.get("/api/v1/articles", source="wire")) == [b.slug]
    assert _slugs(app.get("/api/v1/articles", topic="harbours")) == [c.slug]
    window = {
        "published_after": (now - timedelta(days=2, hours=1)).isoformat(),
        "published_before": (now - timedelta(days=1, hours=1)).isoformat(),
    }
    assert _slugs(app.get("/api/v1/articles", **window)) == [b.slug]


def test_cursor_pages_walk_every_article_once_even_with_equal_times(app):
    when = timezone.now() - timedelta(hours=1)
    made = {ArticleFactory(published_at=when).slug for _ in range(5)}
    made |= {ArticleFactory().slug for _ in range(2)}
    seen, params = [], {"limit": 3}
    while True:
        body = app.get("/api/v1/articles", **params).json()
        seen += [item["slug"] for item in body["items"]]
        if not body["next_cursor"]:
            break
        assert body["next"].endswith(f"cursor={body['next_cursor']}")
        params = {"limit": 3, "cursor": body["next_cursor"]}
    assert len(seen) == len(made) == 7
    assert set(seen) == made


def test_page_size_is_capped_and_bad_cursors_are_400(app, settings):
    response = app.get("/api/v1/articles", limit=settings.API_PAGE_SIZE_MAX + 1)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "limit"]

    for cursor in ("garbage", "W10", "bm90IGpzb24"):
        response = app.get("/api/v1/articles", cursor=cursor)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_cursor"


def test_fields_selects_item_fields_and_refuses_unknown_ones(app, article):
    response = app.get("/api/v1/articles", fields="slug,title")
    assert response.json()["items"] == [{"slug": article.slug, "title": article.title}]
    detail = app.get(f"/api/v1/articles/{article.slug}", fields="body_html").json()
    assert detail == {"body_html": article.body}

    response = app.get("/api/v1/articles", fields="slug,status")
    assert response.status_code == 400
    assert "status" in response.json()["detail"]


def test_detail_has_sanitized_body_corrections_and_rendition_sizes(app, settings):
    article = ArticleFactory(
        slug="quay",
        body='<p onclick="steal()">Quay <script>alert(1)</script>widened.</p>',
        lead_image_alt="The old quay at dawn",
    )
    article.lead_image.save("quay.jpg", ContentFile(image_bytes(size=(800, 450))))
    Correction.objects.create(article=article, text="The vote was 7 to 2, not 8 to 1.")

    body = app.get("/api/v1/articles/quay").json()

    assert "<script>" not in body["body_html"] and "onclick" not in body["body_html"]
    assert body["corrections"][0]["text"] == "The vote was 7 to 2, not 8 to 1."
    image = body["lead_image"]
    assert (image["width"], image["height"], image["alt"]) == (800, 450, "The old quay at dawn")
    sizes = {(r["format"], r["width"], r["height"]) for r in image["renditions"]}
    assert sizes == {
        (f, w, h) for f in ("webp", "jpeg") for w, h in ((320, 180), (640, 360), (800, 450))
    }
    media = f"{settings.SITE_URL}/media/"  # on SITE_URL, whatever Host the client sent
    assert all(r["url"].startswith(media) for r in image["renditions"])


def test_sources_topics_and_search(app):
    SourceFactory(slug="lantern", name="The Lantern")
    TopicFactory(slug="harbours", name="Harbours")
    ArticleFactory(slug="ferry", title="Ferry fares fall", summary="Ferry crossings cost less.")
    ArticleFactory(slug="bridge", title="Bridge repairs", summary="Closed at night.")

    assert "lantern" in [s["slug"] for s in app.get("/api/v1/sources").json()]
    assert [t["slug"] for t in app.get("/api/v1/topics").json()] == ["harbours"]
    found = app.get("/api/v1/search", q="ferry").json()
    assert [i["slug"] for i in found["items"]] == ["ferry"]
    assert found["count"] == 1
    assert "<mark>" in found["items"][0]["snippet_html"]
    assert app.get("/api/v1/search", q="").json()["count"] == 0


def test_list_of_twenty_on_a_miss_takes_four_queries(app, django_assert_num_queries):
    """The page (each story once: a subquery, no query of its own), topics, the stories'
    coverage line, the next scheduled change."""
    topics = [TopicFactory() for _ in range(3)]
    for _ in range(25):
        ArticleFactory(topics=topics, agency=AgencyFactory())
    with django_assert_num_queries(4):
        response = app.get("/api/v1/articles")
    assert response["X-Page-Cache"] == "miss"
    assert len(response.json()["items"]) == 20
    with django_assert_num_queries(0):
        assert app.get("/api/v1/articles")["X-Page-Cache"] == "hit"


def test_public_reads_carry_etag_and_cache_control_and_answer_304(app, article):
    first = app.get(f"/api/v1/articles/{article.slug}")
    hit = app.get(f"/api/v1/articles/{article.slug}")
    assert hit["X-Page-Cache"] == "hit"
    for response in (first, hit):
        assert response["Cache-Control"] == "public, no-cache"
        assert response["ETag"] == first["ETag"]
    again = app.get(f"/api/v1/articles/{article.slug}", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_an_edit_is_visible_at_once_through_the_cache(app, article):
    before = app.get(f"/api/v1/articles/{article.slug}")
    assert app.get(f"/api/v1/articles/{article.slug}")["X-Page-Cache"] == "hit"

    article.title = "Ferry timetable changes again"
    article.save()
    Correction.objects.create(article=article, text="The first crossing is at six.")

    after = app.get(f"/api/v1/articles/{article.slug}")
    assert after.json()["title"] == "Ferry timetable changes again"
    assert after.json()["corrections"][0]["text"] == "The first crossing is at six."
    assert after["ETag"] != before["ETag"]
    article.status = Article.Status.WITHDRAWN
    article.save()
    assert app.get(f"/api/v1/articles/{article.slug}").status_code == 404
    assert app.get("/api/v1/articles").json()["items"] == []


def test_unknown_addresses_and_methods_are_problems_too(app, article):
    missing = app.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert missing.json()["instance"] == "/api/v1/nothing-here"

    wrong = app.send("put", f"/api/v1/articles/{article.slug}", {})
    assert wrong.status_code == 405
    assert wrong["Content-Type"] == "application/problem+json"
    assert wrong["Allow"] == "GET"
    assert wrong.json()["status"] == 405


def test_hits_are_answered_before_sessions_and_auth(app, article, monkeypatch, settings):
    """Every cached read is served by the page cache middleware (api.urls.expose_page_cache),
    as web pages are: a hit runs no session, CSRF or auth middleware."""
    settings.PAGE_CACHE_TIMEOUT = 600  # the first hit must not depend on a loaded machine
    from django.contrib.sessions.middleware import SessionMiddleware

    from api.urls import api

    cached = {
        path
        for _, router in api._routers
        for path, path_view in router.path_operations.items()
        for operation in path_view.operations
        if "GET" in operation.methods and getattr(operation.run, "page_cache", False)
    }
    from stories.models import Story, StoryMembership

    story = Story.objects.create(slug="ferry-story", lead=article, published_count=1)
    StoryMembership.objects.create(article=article, story=story, reason="first")
    examples = {
        "/articles": "/api/v1/articles",
        "/articles/{slug}": f"/api/v1/articles/{article.slug}",
        "/sources": "/api/v1/sources",
        "/topics": "/api/v1/topics",
        "/search": "/api/v1/search?q=ferry",
        "/articles/{slug}/comments": f"/api/v1/articles/{article.slug}/comments",
        "/stories": "/api/v1/stories",
        "/stories/{slug}": f"/api/v1/stories/{story.slug}",
    }
    assert cached == examples.keys()  # a new cached read: add it here
    for url in examples.values():
        assert app.get(url).status_code == 200, url
    sessions = []
    real = SessionMiddleware.process_request

    def counting(self, request):
        sessions.append(request.path)
        return real(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", counting)
    for url in examples.values():
        assert app.get(url)["X-Page-Cache"] == "hit", url
    assert sessions == []
    app.get("/api/v1/me")  # not cached: the whole stack runs
    assert sessions == ["/api/v1/me"]
