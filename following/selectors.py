"""Reads of what readers follow: their follows, and the stories those bring.

`followed_articles(...)` is the one rule for "an article from something the reader
follows": the Following page, the briefing and the API all call it.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max, Q, QuerySet

from articles.models import Article, Correction
from stories.models import KeyPoint, Story, StoryMembership

from .models import Follow

PAGE_SIZE = 20


def follows_of(user) -> QuerySet[Follow]:
    """A reader's follows with their targets, newest first."""
    return Follow.objects.filter(user=user).select_related("topic", "source", "story__lead")


def _values(follows, kind: str, field: str):
    if isinstance(follows, QuerySet):
        return follows.filter(kind=kind).values(field)
    return [getattr(f, field) for f in follows if f.kind == kind]


def followed_articles(follows) -> QuerySet[Article]:
    """Published articles from what the follows name: a list of Follow rows, or a queryset
    of them (then it is a subquery of the one statement)."""
    sources = _values(follows, Follow.Kind.SOURCE, "source_id")
    # Topics and stories as id subqueries, not joins: joined, PostgreSQL looked every
    # recent article's topics and story up before the OR (131 ms a briefing over 10,000
    # articles); as subqueries each is hashed once (bench/briefing_bench.py).
    tagged = Article.topics.through.objects.filter(
        topic_id__in=_values(follows, Follow.Kind.TOPIC, "topic_id")
    )
    grouped = StoryMembership.objects.filter(
        story_id__in=_values(follows, Follow.Kind.STORY, "story_id")
    )
    condition = (
        Q(pk__in=tagged.values("article_id"))
        | Q(source_id__in=sources)
        | Q(agency_id__in=sources)
        | Q(byline_slug__in=_values(follows, Follow.Kind.AUTHOR, "author_slug"))
        | Q(pk__in=grouped.values("article_id"))
    )
    return Article.objects.published().filter(condition)


def story_page(follows, *, before: tuple[datetime, int] | None = None, size: int = PAGE_SIZE):
    """One page of (story id, its newest followed report's time), newest first, and
    whether there is more. `before` is the last row of the previous page (the cursor)."""
    rows = (
        StoryMembership.objects.filter(article__in=followed_articles(follows).values("pk"))
        .values("story_id")
        .annotate(latest=Max("article__published_at"))
        .order_by("-latest", "-story_id")
    )
    if before is not None:
        at, story_id = before
        rows = rows.filter(Q(latest__lt=at) | Q(latest=at, story_id__lt=story_id))
    found = list(rows[: size + 1])
    return found[:size], len(found) > size


def stories_by_id(ids: list[int]) -> dict[int, Story]:
    """The stories with their lead's card fields, one query."""
    stories = Story.objects.filter(pk__in=ids, lead__isnull=False).select_related(
        "lead__source", "lead__agency", "lead__image"
    )
    return {s.pk: s for s in stories.defer("lead__body", "lead__body_html")}


def top_stories(follows, *, since: datetime, limit: int = 10) -> list[Story]:
    """The briefing's stories: those with a followed report since `since`, most sources
    first, then newest; each with `latest`, its key points and their sources. Three
    queries, whatever the number of follows."""
    rows = list(
        StoryMembership.objects.filter(
            article__in=followed_articles(follows).filter(published_at__gt=since).values("pk")
        )
        .values("story_id", "story__source_count")
        .annotate(latest=Max("article__published_at"))
        .order_by("-story__source_count", "-latest", "-story_id")[:limit]
    )
    if not rows:
        return []
    found = stories_by_id([r["story_id"] for r in rows])
    points: dict[int, list[KeyPoint]] = {}
    for point in (
        KeyPoint.objects.filter(story_id__in=list(found))
        .shown()
        .select_related("source_article__source")
        .only(
            "story_id",
            "sentence",
            "edited_text",
            "position",
            "source_article__slug",
            "source_article__source__name",
        )
    ):
        points.setdefault(point.story_id, []).append(point)
    stories = []
    for row in rows:
        story = found.get(row["story_id"])
        if story is not None:
            story.latest = row["latest"]
            story.points = points.get(story.pk, [])[:3]
            stories.append(story)
    return stories


def story_updates(follows, *, since: datetime) -> list[dict]:
    """Followed stories with news since `since`: new reports and corrections. Two
    queries; each story once, however much happened (the updates are batched)."""
    story_ids = [f.story_id for f in follows if f.kind == Follow.Kind.STORY]
    if not story_ids:
        return []
    found: dict[int, dict] = {}

    def entry(article: Article) -> dict:
        story = article.story_membership.story
        return found.setdefault(story.pk, {"story": story, "reports": [], "corrections": []})

    reports = (
        Article.objects.published()
        .filter(story_membership__story_id__in=story_ids, published_at__gt=since)
        .select_related("source", "story_membership__story__lead")
        .only(
            "title",
            "slug",
            "published_at",
            "source__name",
            "story_membership__story__slug",
            "story_membership__story__source_count",
            "story_membership__story__lead__title",
        )
        .order_by("published_at", "id")
    )
    for article in reports:
        entry(article)["reports"].append(article)
    corrections = (
        Correction.objects.filter(
            article__in=Article.objects.published()
            .filter(story_membership__story_id__in=story_ids)
            .values("pk"),
            published_at__gt=since,
        )
        .select_related("article__source", "article__story_membership__story__lead")
        .order_by("published_at", "id")
    )
    for correction in corrections:
        entry(correction.article)["corrections"].append(correction)
    return list(found.values())
