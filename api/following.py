"""A signed-in reader's follows, Following list and briefing settings (issue 32).

Everything here is personal: token- or cookie-signed-in only, never cached, and only
ever the caller's own data. Writes go through following.services, as the web's do.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from following import selectors, services, targets
from following.models import FollowLimitReached, ReaderSettings

from . import schemas, serialize
from .comments import SIGNED_IN
from .openapi import problem_codes
from .responses import ApiError, cursor_query, decode_cursor, encode_cursor, problems, respond

router = Router(tags=["following"], auth=SIGNED_IN)
PROBLEMS = problems(400, 401, 404, 422)


def _follow(request: HttpRequest, target: targets.Target, found) -> dict:
    return {
        "id": found.pk,
        "kind": target.kind,
        "slug": target.slug,
        "name": target.name,
        "url": request.build_absolute_uri(target.url),
        "feed_url": request.build_absolute_uri(target.feed_url),
        "since": found.created_at,
    }


@router.get("/me/follows", response={200: schemas.FollowList, **PROBLEMS}, summary="Own follows")
def my_follows(request: HttpRequest):
    """What the reader follows, newest first (one query)."""
    items = [_follow(request, targets.of_follow(f), f) for f in selectors.follows_of(request.user)]
    return respond(request, {"items": items})


@router.post(
    "/me/follows",
    response={201: schemas.FollowOut, **PROBLEMS, **problems(409)},
    summary="Follow a topic, source, author or story",
    openapi_extra=problem_codes({404: ["not_found"], 409: ["follow_limit"]}),
)
def follow(request: HttpRequest, payload: schemas.FollowIn):
    """Following something already followed changes nothing (and answers the same). A
    reader follows at most FOLLOWS_MAX things: one more is a 409 `follow_limit`."""
    target = targets.find(payload.kind, payload.slug)
    if target is None:
        raise ApiError(404, "There is no such thing to follow.", code="not_found")
    try:
        found = services.follow(user=request.user, target=target)
    except FollowLimitReached as limit:
        raise ApiError(409, limit.message, code="follow_limit") from None
    return respond(request, _follow(request, target, found), status=201)


@router.delete(
    "/me/follows/{int:pk}",
    response={204: None, **PROBLEMS},
    summary="Unfollow",
    openapi_extra=problem_codes({404: ["not_found"]}),
)
def unfollow(request: HttpRequest, pk: int):
    """By the follow's id: what a reader follows never travels in a URL (access logs)."""
    if not services.unfollow_by_id(user=request.user, pk=pk):
        raise ApiError(404, "You do not follow this.", code="not_found")
    return HttpResponse(status=204)


@router.get(
    "/me/following",
    response={200: schemas.FollowingPage, **PROBLEMS},
    summary="Stories from what the reader follows, newest first",
    openapi_extra=problem_codes({400: ["invalid_cursor"]}),
)
def following(
    request: HttpRequest,
    cursor: str | None = cursor_query(),
    limit: int = Query(20, ge=1, le=settings.API_PAGE_SIZE_MAX, description="Page size."),
):
    """The Following page's list: one item per story, `new` since the last web visit."""
    before = decode_cursor(cursor) if cursor else None
    query = services.follows_query(request.user)
    rows, more = selectors.story_page(query, before=before, size=limit)
    stories = selectors.stories_by_id([r["story_id"] for r in rows])
    seen = ReaderSettings.objects.filter(user=request.user).values_list("seen_at", flat=True)
    seen_at = next(iter(seen), None)
    items = []
    for row in rows:
        story = stories.get(row["story_id"])
        if story is None:
            continue
        items.append(
            {
                "story": serialize.story_ref(request, story),
                "title": story.lead.title,
                "source": serialize.source_ref(story.lead.source),
                "source_count": story.source_count,
                "latest_at": row["latest"],
                "new": seen_at is None or row["latest"] > seen_at,
            }
        )
    last = rows[-1] if rows and more else None
    next_cursor = encode_cursor(last["latest"], last["story_id"]) if last else None
    return respond(request, {"items": items, "next_cursor": next_cursor})


def _settings(found: ReaderSettings | None) -> dict:
    if found is None:
        return {"briefing": False, "briefing_time": "07:00", "time_zone": "UTC",
                "story_updates": False}  # fmt: skip
    return {
        "briefing": found.briefing,
        "briefing_time": found.briefing_time.strftime("%H:%M"),
        "time_zone": found.time_zone,
        "story_updates": found.story_updates,
    }


@router.get(
    "/me/briefing", response={200: schemas.BriefingSettings, **PROBLEMS}, summary="Mail choices"
)
def briefing(request: HttpRequest):
    return respond(request, _settings(ReaderSettings.objects.filter(user=request.user).first()))


@router.put(
    "/me/briefing",
    response={200: schemas.BriefingSettings, **PROBLEMS},
    summary="Choose the briefing and story updates",
)
def set_briefing(request: HttpRequest, payload: schemas.BriefingSettings):
    """The briefing comes at `briefing_time` in `time_zone`, at most once a day."""
    hour, minute = map(int, payload.briefing_time.split(":"))
    found = services.update_mail_settings(
        user=request.user,
        briefing=payload.briefing,
        briefing_time=time(hour, minute),
        time_zone=payload.time_zone,
        story_updates=payload.story_updates,
    )
    return respond(request, _settings(found))
