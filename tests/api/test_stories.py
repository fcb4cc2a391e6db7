"""Stories in the API: what the web's story page and article page show, nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from serving.tags import bump_tags
from stories.models import KeyPoint, Story, StoryMembership
from stories.text import plain_text
from tests import factories
from tests.stories.conftest import FERRY, make

pytestmark = pytest.mark.django_db


def story_of(article) -> Story:
    return StoryMembership.objects.get(article=article).story


def _story(n_articles: int, *, hours_ago: float) -> Story:
    """A story made directly (no grouping run): n published articles, one per source."""
    now = timezone.now()
    articles = [
        factories.ArticleFactory(published_at=now - timedelta(hours=hours_ago + i))
        for i in range(n_articles)
    ]
    story = Story.objects.create(
        slug=f"story-{articles[0].pk}", lead=articles[-1], published_count=n_articles
    )
    for article in articles:
        StoryMembership.objects.create(article=article, story=story, reason="first")
    return story


def test_list_shows_stories_with_a_published_article_latest_change_first(app, ferry_story):
    first, second, chess = ferry_story
    ferry = story_of(first)
    items = app.get("/api/v1/stories").json()["items"]
    assert items[0]["slug"] == story_of(chess).slug  # grouped last
    item = next(i for i in items if i["slug"] == ferry.slug)
    assert item["headline"] == first.title  # the lead: the first report
    assert item["article_count"] == 2 and item["source_count"] == 2
    assert item["first_reported_by"] == {"slug": first.source.slug, "name": first.source.name}
    assert item["url"].endswith(ferry.get_absolute_url())

    # A story whose only article is a draft is not listed.
    draft = factories.ArticleFactory(status=Article.Status.DRAFT)
    hidden = Story.objects.create(slug="draft-story", lead=draft)
    StoryMembership.objects.create(article=draft, story=hidden, reason="first")
    slugs = [i["slug"] for i in app.get("/api/v1/stories").json()["items"]]
    assert "draft-story" not in slugs and ferry.slug in slugs
    assert app.get("/api/v1/stories/draft-story").status_code == 404


def test_list_pages_with_a_cursor_and_keeps_chosen_fields(app):
    made = {_story(1, hours_ago=i).slug for i in range(5)}
    seen, params = [], {"limit": 2, "fields": "slug,headline"}
    while True:
        body = app.get("/api/v1/stories", **params).json()
        assert all(set(i) == {"slug", "headline"} for i in body["items"])
        seen += [i["slug"] for i in body["items"]]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    assert sorted(seen) == sorted(made) and len(seen) == 5
    bad = app.get("/api/v1/stories", fields="nope")
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_field"


def test_detail_has_lead_articles_and_key_points_quoted_verbatim(app, ferry_story):
    first, second, _ = ferry_story
    story = story_of(first)
    body = app.get(f"/api/v1/stories/{story.slug}").json()
    assert body["lead"]["slug"] == first.slug
    assert [a["slug"] for a in body["articles"]] == [first.slug, second.slug]
    assert body["articles"][1]["source"]["name"] == second.source.name
    texts = {a.slug: f"{a.summary} {plain_text(a.body)}" for a in (first, second)}
    assert len(body["key_points"]) >= 3
    for point in body["key_points"]:
        assert point["text"] in texts[point["source_article"]]
        article = first if point["source_article"] == first.slug else second
        assert point["source"]["slug"] == article.source.slug


def test_detail_follows_editor_wording_and_hides_hidden_points(app, ferry_story):
    first, _, _ = ferry_story
    story = story_of(first)
    points = list(KeyPoint.objects.filter(story=story).shown())
    points[0].edited_text = "Crews stopped work at dawn."
    points[1].hidden = True
    for p in points[:2]:
        p.edited_by_editor = True
        p.save()
    texts = [p["text"] for p in app.get(f"/api/v1/stories/{story.slug}").json()["key_points"]]
    assert texts[0] == "Crews stopped work at dawn."
    assert points[1].sentence not in texts


def test_unknown_story_is_a_problem_404(app, db):
    response = app.get("/api/v1/stories/no-such-story")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_withdrawn_article_leaves_the_story_everywhere(
    app, ferry_story, django_capture_on_commit_callbacks
):
    first, second, _ = ferry_story
    story = story_of(first)
    # An editor's point quoting the article outlives recomputation: still never shown.
    KeyPoint.objects.filter(story=story, source_article=second).update(edited_by_editor=True)
    with django_capture_on_commit_callbacks(execute=True):
        second.status = Article.Status.WITHDRAWN
        second.save()
    body = app.get(f"/api/v1/stories/{story.slug}").json()
    assert [a["slug"] for a in body["articles"]] == [first.slug]
    assert all(p["source_article"] == first.slug for p in body["key_points"])
    assert second.title not in str(body) and second.slug not in str(body)
    assert [a["slug"] for a in app.get("/api/v1/articles", story=story.slug).json()["items"]] == [
        first.slug
    ]
    # One visible article left: the article page no longer links to the story.
    assert app.get(f"/api/v1/articles/{first.slug}").json()["story"] is None


def test_articles_filter_by_story(app, ferry_story):
    first, second, chess = ferry_story
    items = app.get("/api/v1/articles", story=story_of(first).slug).json()["items"]
    assert {i["slug"] for i in items} == {first.slug, second.slug}
    assert app.get("/api/v1/articles", story="no-such-story").json()["items"] == []


def test_article_detail_has_its_story_and_visible_key_points(app, ferry_story, settings):
    first, _, chess = ferry_story
    body = app.get(f"/api/v1/articles/{first.slug}").json()
    story = story_of(first)
    assert body["story"] == {
        "slug": story.slug,
        "article_count": 2,
        "url": f"{settings.SITE_URL}{story.get_absolute_url()}",
    }
    shown = list(KeyPoint.objects.filter(article=first).shown())
    assert [p["text"] for p in body["key_points"]] == [p.sentence for p in shown]
    text = f"{first.summary} {plain_text(first.body)}"
    assert all(p["text"] in text for p in body["key_points"])

    shown[0].hidden = True
    shown[0].edited_by_editor = True
    shown[0].save()
    bump_tags([f"article:{first.pk}"])  # as the key point admin does on save
    texts = [p["text"] for p in app.get(f"/api/v1/articles/{first.slug}").json()["key_points"]]
    assert shown[0].sentence not in texts and len(texts) == len(shown) - 1

    # Alone in its story: no link, as on the web.
    assert app.get(f"/api/v1/articles/{chess.slug}").json()["story"] is None
    plain = factories.ArticleFactory()
    body = app.get(f"/api/v1/articles/{plain.slug}").json()
    assert body["story"] is None and body["key_points"] == []


def test_list_of_twenty_on_a_miss_takes_a_constant_number_of_queries(
    app, django_assert_num_queries
):
    for i in range(22):
        _story(3, hours_ago=i)
    with django_assert_num_queries(3):
        response = app.get("/api/v1/stories")
    assert response["X-Page-Cache"] == "miss"
    assert len(response.json()["items"]) == 20
    with django_assert_num_queries(0):
        assert app.get("/api/v1/stories")["X-Page-Cache"] == "hit"


def test_detail_on_a_miss_takes_a_constant_number_of_queries(
    app, ferry_story, django_assert_num_queries
):
    slug = story_of(ferry_story[0]).slug
    with django_assert_num_queries(4):
        assert app.get(f"/api/v1/stories/{slug}")["X-Page-Cache"] == "miss"


def test_a_scheduled_or_draft_member_never_shows(app, ferry_story):
    first, second, _ = ferry_story
    story = story_of(first)
    later = factories.ArticleFactory(published_at=timezone.now() + timedelta(hours=2))
    draft = factories.ArticleFactory(status=Article.Status.DRAFT)
    for article in (later, draft):
        StoryMembership.objects.create(article=article, story=story, reason="merged")
    body = app.get(f"/api/v1/stories/{story.slug}").json()
    assert [a["slug"] for a in body["articles"]] == [first.slug, second.slug]
    assert body["article_count"] == 2
    items = app.get("/api/v1/articles", story=story.slug).json()["items"]
    assert {i["slug"] for i in items} == {first.slug, second.slug}


def test_cached_story_reads_follow_a_new_report(
    app, ferry_story, django_capture_on_commit_callbacks
):
    first, _, _ = ferry_story
    story = story_of(first)
    assert app.get(f"/api/v1/stories/{story.slug}").json()["article_count"] == 2
    assert app.get(f"/api/v1/stories/{story.slug}")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        third = make(*FERRY[0], hours_ago=1)  # a third source reprints the first report
    assert story_of(third) == story
    detail = app.get(f"/api/v1/stories/{story.slug}")
    assert detail["X-Page-Cache"] == "miss" and detail.json()["article_count"] == 3
    listed = app.get("/api/v1/stories").json()["items"]
    assert listed[0]["slug"] == story.slug and listed[0]["source_count"] == 3
    assert app.get(f"/api/v1/articles/{first.slug}").json()["story"]["article_count"] == 3


def test_article_detail_adds_two_queries_for_story_and_key_points(
    app, ferry_story, django_assert_num_queries
):
    with django_assert_num_queries(7):
        response = app.get(f"/api/v1/articles/{ferry_story[0].slug}")
    assert response["X-Page-Cache"] == "miss" and response.json()["story"] is not None
