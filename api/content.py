"""Public reads: articles, sources, topics and search. The same for every client, so each
is cached whole by the page cache (serving) and invalidated with the web pages."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from articles.models import Article, Source, Topic
from articles.selectors import one_per_story
from comments.selectors import attach_comment_counts
from search.forms import SearchForm
from search.query import search_articles
from search.snippets import snippets
from stories import selectors as story_selectors
from stories.lists import attach_coverage

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
from .schemas import IsoDateTime

router = Router(tags=["content"])

SUMMARY_FIELDS = set(schemas.ArticleCard.model_fields)
DETAIL_FIELDS = set(schemas.ArticleDetail.model_fields)
PROBLEMS = problems(400, 404, 422)


def _per_story(which: str):
    return Query(
        True,
        description="One item per story, as the web's lists: " + which + " `coverage` tells "
        "of the story's other reports. false: every article.",
    )


def _page_limit():
    return Query(20, ge=1, le=settings.API_PAGE_SIZE_MAX, description="Page size.")


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _cards(queryset):
    return queryset.for_cards().prefetch_related(
        Prefetch("topics", queryset=Topic.objects.only("slug", "name"))
    )


@router.get(
    "/articles",
    response={200: schemas.ArticlePage, **PROBLEMS},
    summary="Published articles, newest first",
    openapi_extra=problem_codes({400: ["invalid_cursor", "unknown_field"]}),
)
@cached_public_read
def list_articles(
    request: HttpRequest,
    source: str | None = Query(None, description="A source's slug (publisher or agency)."),
    topic: str | None = Query(None, description="A topic's slug."),
    story: str | None = Query(None, description="A story's slug."),
    published_after: IsoDateTime | None = Query(None, description="ISO 8601; inclusive."),
    published_before: IsoDateTime | None = Query(None, description="ISO 8601; exclusive."),
    cursor: str | None = cursor_query(),
    limit: int = _page_limit(),
    fields: str | None = Query(None, description="Comma-separated item fields to return."),
    per_story: bool = _per_story(
        "its newest report (on a topic, the story's lead when it has the topic). Ignored "
        "with `source` or `story` (every article, as the web's source and story pages)."
    ),
):
    """Filter by source, topic, story and publication time; page with the opaque `cursor`.
    Each story once unless `per_story=false` (or a `source` or `story` filter)."""
    chosen = parse_fields(fields, SUMMARY_FIELDS)
    articles = Article.objects.published()
    if source:
        articles = articles.filter(Q(source__slug=source) | Q(agency__slug=source))
    if topic:
        articles = articles.filter(topics__slug=topic)
    if story:
        articles = articles.filter(story_membership__story__slug=story)
    if published_after:
        articles = articles.filter(published_at__gte=_aware(published_after))
    if published_before:
        articles = articles.filter(published_at__lt=_aware(published_before))
    if per_story and not (source or story):
        # Before the cursor: the card chosen for a story must not change from page to page.
        articles = one_per_story(articles, prefer="lead" if topic else "latest")
    if cursor:
        when, pk = decode_cursor(cursor)
        articles = articles.filter(Q(published_at__lt=when) | Q(published_at=when, pk__lt=pk))
    rows = list(_cards(articles).order_by("-published_at", "-id")[: limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = encode_cursor(rows[-1].published_at, rows[-1].pk) if more else None
    next_url = next_page_url(request, next_cursor)
    attach_coverage(rows)
    items = [pick(serialize.article_card(request, a), chosen) for a in rows]
    return respond(
        request, {"items": items, "next_cursor": next_cursor, "next": next_url}, public=True
    )


@router.get(
    "/articles/{slug}",
    response={200: schemas.ArticleDetail, **PROBLEMS},
    summary="One published article",
    openapi_extra=problem_codes({400: ["unknown_field"], 404: ["not_found"]}),
)
@cached_public_read
def get_article(request: HttpRequest, slug: str, fields: str | None = None):
    """The sanitized body, corrections (newest first), lead image renditions and the
    number of approved comments."""
    chosen = parse_fields(fields, DETAIL_FIELDS)
    article = get_object_or_404(
        _cards(Article.objects.published()).defer(None).prefetch_related("corrections"), slug=slug
    )
    attach_comment_counts([article])  # the card hooks' other work (stories' line) is unused
    data = serialize.article_detail(
        request, article, story_selectors.coverage(article), story_selectors.article_points(article)
    )
    return respond(request, pick(data, chosen), public=True)


@router.get("/sources", response=list[schemas.Source], summary="Every source")
@cached_public_read
def list_sources(request: HttpRequest):
    return respond(
        request,
        [serialize.source(request, s) for s in Source.objects.all()],
        public=True,
    )


@router.get("/topics", response=list[schemas.Topic], summary="Every topic")
@cached_public_read
def list_topics(request: HttpRequest):
    return respond(request, [serialize.topic(request, t) for t in Topic.objects.all()], public=True)


@router.get(
    "/search",
    response={200: schemas.SearchPage, **PROBLEMS},
    summary="Search published articles",
)
@cached_public_read
def search(
    request: HttpRequest,
    q: str = Query("", description="Words to find; up to eight are used."),
    source: str = "",
    topic: str = "",
    page: int = Query(1, ge=1, le=1000),
    limit: int = _page_limit(),
    per_story: bool = _per_story("the story's lead when it matches, else its best match."),
):
    """The web's search (PostgreSQL full-text, best match first; LIKE on SQLite), each
    story once unless `per_story=false`."""
    form = SearchForm.from_request(request)  # the web's cleaning of q, source and topic
    if form.is_empty:
        return respond(request, {"items": [], "page": 1, "num_pages": 0, "count": 0}, public=True)
    found = search_articles(form)
    if per_story:
        found = one_per_story(found, prefer="lead")  # as the web's search
    page_obj = Paginator(
        found.prefetch_related(Prefetch("topics", queryset=Topic.objects.only("slug", "name"))),
        limit,
    ).get_page(page)
    rows = list(page_obj.object_list)
    marked = snippets(rows, form)
    attach_coverage(rows)
    items = [{**serialize.article_card(request, a), "snippet_html": marked.get(a.pk)} for a in rows]
    return respond(
        request,
        {
            "items": items,
            "page": page_obj.number,
            "num_pages": page_obj.paginator.num_pages,
            "count": page_obj.paginator.count,
        },
        public=True,
    )
