"""Each story once on the API's lists, as on the web's (issue 31, point 1): `/articles` and
`/search` give one item per story with `coverage` (the story and its other sources);
`per_story=false` gives every article; source and story filters list every article."""

from __future__ import annotations

import pytest
from django.conf import settings

from stories.models import Story, StoryMembership
from tests.factories import ArticleFactory, TopicFactory
from tests.stories.conftest import FERRY, make
from tests.stories.test_lists import THIRD

pytestmark = pytest.mark.django_db


def _slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


def _story_of(article) -> Story:
    return StoryMembership.objects.get(article=article).story


def test_articles_list_each_story_once_by_its_newest_report_with_coverage(app, ferry_story):
    first, second, chess = ferry_story
    story = _story_of(first)
    items = app.get("/api/v1/articles").json()["items"]
    assert [i["slug"] for i in items] == [chess.slug, second.slug]
    assert items[0]["coverage"] is None  # a story of one report
    assert items[1]["coverage"] == {
        "story": story.slug,
        "url": settings.SITE_URL.rstrip("/") + story.get_absolute_url(),
        "other_sources": 1,
        "other_reports": 1,
    }
    every = app.get("/api/v1/articles", per_story="false")
    assert _slugs(every) == [chess.slug, second.slug, first.slug]
    assert every.json()["items"][2]["coverage"]["story"] == story.slug


def test_source_and_story_filters_list_every_article(app, ferry_story):
    first, second, _ = ferry_story
    story = _story_of(first)
    assert _slugs(app.get("/api/v1/articles", story=story.slug)) == [second.slug, first.slug]
    source = first.source
    ArticleFactory(source=source)  # not in the story
    found = _slugs(app.get("/api/v1/articles", source=source.slug))
    assert first.slug in found and len(found) == 2


def test_a_topic_lists_the_storys_lead_when_it_has_the_topic(
    app, django_capture_on_commit_callbacks
):
    ferries = TopicFactory(slug="ferries")
    with django_capture_on_commit_callbacks(execute=True):
        lead = make(*FERRY[0], hours_ago=3, topics=[ferries])
        newer = make(*FERRY[1], hours_ago=2, topics=[ferries])
    assert _story_of(lead).lead_id == lead.pk
    assert _slugs(app.get("/api/v1/articles", topic="ferries")) == [lead.slug]
    assert _slugs(app.get("/api/v1/articles")) == [newer.slug]  # latest: the newest


def test_cursor_pages_give_each_story_once(app):
    stories = []
    for n in range(4):
        reports = [ArticleFactory() for _ in range(2)]
        story = Story.objects.create(
            slug=f"story-{n}", lead=reports[0], published_count=2, source_count=2
        )
        for article in reports:
            StoryMembership.objects.create(article=article, story=story, reason="first")
        stories.append(story)
    seen, params = [], {"limit": 1}
    while True:
        page = app.get("/api/v1/articles", **params).json()
        seen += [item["coverage"]["story"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert sorted(seen) == sorted(s.slug for s in stories)


def test_search_lists_each_story_once_by_its_lead(app, ferry_story):
    first, second, _ = ferry_story
    found = app.get("/api/v1/search", q="ferry").json()
    assert [i["slug"] for i in found["items"]] == [first.slug] and found["count"] == 1
    assert found["items"][0]["coverage"]["other_sources"] == 1
    assert "<mark>" in found["items"][0]["snippet_html"]
    every = app.get("/api/v1/search", q="ferry", per_story="false").json()
    assert {i["slug"] for i in every["items"]} == {first.slug, second.slug}
    assert every["count"] == 2


def test_a_report_joining_the_story_is_seen_through_the_cache(
    app, ferry_story, django_capture_on_commit_callbacks
):
    first, second, chess = ferry_story
    assert app.get("/api/v1/articles")["X-Page-Cache"] == "miss"
    assert app.get("/api/v1/articles")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        third = make(*THIRD, hours_ago=0.5)
    assert _story_of(third) == _story_of(first)
    items = app.get("/api/v1/articles").json()["items"]
    assert [i["slug"] for i in items] == [third.slug, chess.slug]
    assert items[0]["coverage"]["other_sources"] == 2


def test_the_schema_documents_per_story_and_coverage(app):
    schema = app.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/articles", "/api/v1/search"):
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert "per_story" in names
    assert "coverage" in schema["components"]["schemas"]["ArticleCard"]["properties"]
    assert set(schema["components"]["schemas"]["Coverage"]["properties"]) == {
        "story",
        "url",
        "other_sources",
        "other_reports",
    }


def test_bad_per_story_is_a_problem_not_a_500(app):
    response = app.get("/api/v1/articles", per_story="maybe")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
