"""Comments through the API: public threads, and a signed-in reader's own writes.

Every write goes through comments.services, so the rules, limits, bans and
pre-moderation are the web's. Another reader's comment is a 404 wherever only its author
may act (editing, removing, seeing it pending): guessing ids reveals nothing.
"""

from __future__ import annotations

from allauth.headless.contrib.ninja.security import XSessionTokenAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.security import SessionAuth

from articles.models import Article
from comments import services
from comments.models import Comment, Status
from comments.rules import CommentRefused
from comments.selectors import Node, article_comments

from . import schemas, serialize
from .openapi import problem_codes
from .responses import MAX_ID, ApiError, cached_public_read, problems, respond
from .throttle import client_ip

router = Router(tags=["comments"])
# An app sends its X-Session-Token (no CSRF: a token is not sent by browsers on their
# own); a browser on this site may use its session cookie, and then CSRF applies.


class SessionTokenAuth(XSessionTokenAuth):
    """allauth's X-Session-Token check, with the header named in the OpenAPI document
    (allauth's own class leaves it out, which makes the document invalid)."""

    openapi_in = "header"
    openapi_name = "X-Session-Token"
    openapi_description = "The session_token from /_allauth/app/v1/auth/login."


class CookieAuth(SessionAuth):
    """The site's session cookie, with CSRF checked, for a browser on this site. Without
    a session cookie there is nothing to check: an app's bad or expired token is then a
    401, not a complaint about a CSRF cookie it was never meant to have."""

    def __call__(self, request: HttpRequest):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super().__call__(request)


SIGNED_IN = [SessionTokenAuth(), CookieAuth()]

# The comment rules' refusals of a text (comments/rules.py), in every write of one.
LENGTH_CODES = ["control_characters", "too_long", "too_short"]

PROBLEMS = problems(400, 401, 403, 404, 422, 429)


def _refused(error: CommentRefused) -> ApiError:
    return ApiError(
        error.http_status, error.message, code=str(error.code), retry_after=error.retry_after
    )


def _published_article(slug: str) -> Article:
    return get_object_or_404(Article.objects.published(), slug=slug)


def _approved_comment(pk: int) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("article"),
        pk=pk,
        status=Status.APPROVED,
        article__in=Article.objects.published(),
    )


def _own_comment(request: HttpRequest, pk: int) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("article"),
        pk=pk,
        author=request.user,
        article__in=Article.objects.published(),
    )


@router.get(
    "/articles/{slug}/comments",
    response={200: schemas.CommentThreads, 404: schemas.Problem, 422: schemas.Problem},
    summary="An article's approved comments, as threads",
    openapi_extra=problem_codes({404: ["not_found"]}),
)
@cached_public_read
def article_threads(
    request: HttpRequest,
    slug: str,
    order: str = Query("oldest", pattern="^(oldest|newest)$"),
    page: int = Query(1, ge=1),
):
    """Threads up to three levels deep, a page of top-level comments at a time. A comment
    its author removed stays as a placeholder (no body, no author) so replies make sense."""
    article = _published_article(slug)
    comments = article_comments(article=article, user=None, order=order, page=page)
    return respond(
        request,
        {
            "approved_count": comments.approved_count,
            "page": comments.number,
            "num_pages": comments.num_pages,
            "order": comments.order,
            "featured": [serialize.public_comment(Node(c)) for c in comments.featured],
            "threads": [serialize.public_comment(node) for node in comments.threads],
        },
        public=True,
    )


@router.post(
    "/articles/{slug}/comments",
    auth=SIGNED_IN,
    response={201: schemas.OwnComment, **PROBLEMS},
    summary="Post a comment or a reply",
    openapi_extra=problem_codes(
        {
            400: [*LENGTH_CODES, "duplicate", "parent"],
            403: ["banned", "closed", "login", "unconfirmed"],
            404: ["not_found", "parent"],
            429: ["flood"],
        }
    ),
)
def post_comment(request: HttpRequest, slug: str, payload: schemas.CommentIn):
    """Returns the stored comment: `status` says whether it is published or waits for a
    moderator. Refusals (too short, duplicate, closed, too fast, banned...) store nothing
    and come back as problems with a `code`; too fast is a 429 with Retry-After."""
    article = _published_article(slug)
    parent = None
    if payload.parent_id is not None:
        parent = _approved_comment(payload.parent_id)
        if parent.article_id != article.pk:
            raise ApiError(404, "No such comment on this article.", code="parent")
    try:
        comment = services.post_comment(
            article=article,
            author=request.user,
            body=payload.body,
            parent=parent,
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except CommentRefused as error:
        raise _refused(error) from None
    return respond(request, serialize.own_comment(request, comment, article.slug), status=201)


@router.patch(
    "/comments/{int:pk}",
    auth=SIGNED_IN,
    response={200: schemas.OwnComment, **PROBLEMS},
    summary="Edit own comment",
    openapi_extra=problem_codes(
        {
            400: LENGTH_CODES,
            403: ["banned", "edit_window", "not_editable"],
            404: ["not_found"],
        }
    ),
)
def edit_comment(request: HttpRequest, pk: int, payload: schemas.CommentEdit):
    """Within COMMENTS_EDIT_MINUTES of posting; the rules run again on the new text."""
    comment = _own_comment(request, pk)
    try:
        services.edit_comment(comment=comment, author=request.user, body=payload.body)
    except CommentRefused as error:
        raise _refused(error) from None
    return respond(request, serialize.own_comment(request, comment, comment.article.slug))


@router.delete(
    "/comments/{int:pk}",
    auth=SIGNED_IN,
    response={204: None, **PROBLEMS},
    summary="Remove own comment",
    openapi_extra=problem_codes({404: ["not_found"]}),
)
def remove_comment(request: HttpRequest, pk: int):
    """It stays in its thread as a placeholder so replies still make sense."""
    comment = _own_comment(request, pk)
    services.remove_comment(comment=comment, author=request.user)
    return HttpResponse(status=204)


@router.post(
    "/comments/{int:pk}/report",
    auth=SIGNED_IN,
    response={201: schemas.Reported, **PROBLEMS},
    summary="Report a published comment",
    openapi_extra=problem_codes(
        {
            400: ["already_reported", "no_category"],
            403: ["banned", "own_comment", "unconfirmed"],
            404: ["not_found", "not_reportable"],
        }
    ),
)
def report_comment(request: HttpRequest, pk: int, payload: schemas.ReportIn):
    comment = _approved_comment(pk)
    try:
        services.report_comment(
            comment=comment,
            reporter=request.user,
            category=payload.category,
            note=payload.reason,
        )
    except CommentRefused as error:
        raise _refused(error) from None
    return respond(request, {"reported": True}, status=201)


@router.get(
    "/me/comments",
    auth=SIGNED_IN,
    response={200: schemas.OwnCommentPage, **PROBLEMS},
    summary="Own comments, newest first",
)
def my_comments(
    request: HttpRequest,
    status: str = Query("pending", pattern="^(pending|approved|all)$"),
    cursor: int | None = Query(
        None, ge=1, le=MAX_ID, description="`next_cursor` of the previous page."
    ),
    limit: int = Query(20, ge=1, le=settings.API_PAGE_SIZE_MAX),
):
    """Only ever the signed-in reader's own comments (pending by default)."""
    comments = (
        Comment.objects.filter(author=request.user, article__in=Article.objects.published())
        .select_related("article")
        .only("pk", "parent_id", "status", "body", "created_at", "edited_at", "article__slug")
    )
    if status != "all":
        comments = comments.filter(status=status)
    if cursor is not None:
        comments = comments.filter(pk__lt=cursor)
    rows = list(comments.order_by("-pk")[: limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    return respond(
        request,
        {
            "items": [serialize.own_comment(request, c, c.article.slug) for c in rows],
            "next_cursor": rows[-1].pk if more else None,
        },
    )
