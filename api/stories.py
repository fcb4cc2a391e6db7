"""Public reads of the stories app: stories (the same event from several sources) and
their key points, exactly as the web's story page shows them."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from articles.models import Article
from stories import selectors
from stories.models import Story

from . import schemas, serialize
from .openapi import problem_codes
from .responses import (
    cached_public_read,
    cursor_query,
    decode_cursor,
    encode_cursor,
    next_page_url,
    parse_fields,
    pick,
    problems,
    respond,
)

router = Router(tags=["stories"])

SUMMARY_FIELDS = set(schemas.StorySummary.model_fields)
DETAIL_FIELDS = set(schemas.StoryDetail.model_fields)
PROBLEMS = problems(400, 404, 422)


def _visible():
    return Article.objects.published().filter(story_membership__story=OuterRef("pk"))


@router.get(
    "/stories",
    response={200: schemas.StoryPage, **PROBLEMS},
    summary="Stories with a published article, latest change first",
    openapi_extra=problem_codes({400: ["invalid_cursor", "unknown_field"]}),
)
@cached_public_read
def list_stories(
    request: HttpRequest,
    cursor: str | None = cursor_query(),
    limit: int = Query(20, ge=1, le=50, description="Page size."),
    fields: str | None = Query(None, description="Comma-separated item fields to return."),
):
    """Two queries whatever the page size: the stories, then their published articles."""
    chosen = parse_fields(fields, SUMMARY_FIELDS)
    stories = Story.objects.filter(Exists(_visible())).only("slug", "lead_id", "updated_at")
    if cursor:
        when, pk = decode_cursor(cursor)
        stories = stories.filter(Q(updated_at__lt=when) | Q(updated_at=when, pk__lt=pk))
    rows = list(stories.order_by("-updated_at", "-id")[: limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    members: dict[int, list[Article]] = {s.pk: [] for s in rows}
    for article in (
        Article.objects.published()
        .filter(story_membership__story__in=rows)
        .select_related("source")
        .only(
            *("title", "slug", "published_at", "created_at", "guid", "vetted"),
            *("source__slug", "source__name", "source__vetted", "source__is_house"),
        )
        .annotate(story_id=F("story_membership__story_id"))
        .order_by("published_at", "id")
    ):
        members[article.story_id].append(article)
    next_cursor = encode_cursor(rows[-1].updated_at, rows[-1].pk) if more else None
    items = [
        pick(serialize.story_summary(request, s, members[s.pk]), chosen)
        for s in rows
        if members[s.pk]  # made visible by a scheduled time between the two queries
    ]
    body = {"items": items, "next_cursor": next_cursor, "next": next_page_url(request, next_cursor)}
    return respond(request, body, public=True)


@router.get(
    "/stories/{slug}",
    response={200: schemas.StoryDetail, **PROBLEMS},
    summary="One story: its lead, every published article and its key points",
    openapi_extra=problem_codes({400: ["unknown_field"], 404: ["not_found"]}),
)
@cached_public_read
def get_story(request: HttpRequest, slug: str, fields: str | None = None):
    """Articles in the order they count as reported (the timeline, stories/trust.py); lead
    and first report under the web's rules; key points as the web's story page shows
    them: an editor's wording when there is one, hidden ones left out."""
    chosen = parse_fields(fields, DETAIL_FIELDS)
    story = get_object_or_404(Story.objects.only("slug", "lead_id", "updated_at"), slug=slug)
    articles = selectors.story_articles(story)
    if not articles:
        raise Http404("No story found.")
    data = serialize.story_detail(request, story, articles, selectors.story_points(story, articles))
    return respond(request, pick(data, chosen), public=True)
