"""Reader views: post, reply, edit, remove, report. Every write goes through services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from articles.models import Article
from articles.views import render_article
from serving.client import client_ip
from serving.errors import keep_input

from . import services
from .forms import CommentForm, ReportForm
from .models import Comment, Status
from .permissions import can_comment
from .rules import CommentRefused
from .sections import REPORTED


def _refused(response: HttpResponse, error: CommentRefused) -> HttpResponse:
    response.status_code = error.http_status
    if error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response


def _visible_comment(pk: int) -> Comment:
    """An approved comment on a published article, or 404 (pending ones are nobody's
    business but their author's and the moderators')."""
    return get_object_or_404(
        Comment.objects.select_related("article", "author"),
        pk=pk,
        status=Status.APPROVED,
        article__in=Article.objects.published(),
    )


def _own_comment(request: HttpRequest, pk: int) -> Comment:
    # Someone else's comment is a 404: guessing ids reveals nothing.
    return get_object_or_404(
        Comment.objects.select_related("article", "author"),
        pk=pk,
        author=request.user,
        article__in=Article.objects.published(),
    )


@require_POST
@login_required
def post(request: HttpRequest, slug: str) -> HttpResponse:
    """Post a comment or a reply. Refused: the same page again with the text and why. A
    database stall (a locked table: DB_LOCK_TIMEOUT): the 503 page gives the text back."""
    keep_input(request, "body", "parent")
    article = get_object_or_404(Article.objects.published(), slug=slug)
    body = request.POST.get("body", "")
    form = CommentForm(request.POST)
    if not form.is_valid():
        raise Http404("No such comment.")
    parent = None
    if parent_id := form.cleaned_data["parent"]:
        parent = _visible_comment(parent_id)
        if parent.article_id != article.pk:
            raise Http404("No such comment.")
    try:
        comment = services.post_comment(
            article=article,
            author=request.user,
            body=body,
            parent=parent,
            ip_address=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except CommentRefused as error:
        if parent is not None:
            response = _reply_page(request, parent, body=body, error=error.message)
        else:
            state = {"body": body, "error": error.message}
            response = render_article(request, slug, extra_context={"comment_form_state": state})
        return _refused(response, error)
    if comment.status == Status.APPROVED:
        messages.success(request, "Your comment is published.")
    elif comment.status == Status.PENDING:
        messages.info(request, "Thank you. Your comment will appear once a moderator has read it.")
    else:
        messages.info(request, "Your comment is waiting for a moderator.")
    return redirect(f"{article.get_absolute_url()}#comment-{comment.pk}")


def _reply_page(request, parent: Comment, *, body: str = "", error: str = "") -> HttpResponse:
    return render(
        request,
        "comments/reply.html",
        {
            "parent": parent,
            "article": parent.article,
            "form_body": body,
            "form_error": error,
            "max_length": settings.COMMENTS_MAX_LENGTH,
            "can_comment": can_comment(request.user),
        },
    )


@login_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply form for one comment (works without JavaScript)."""
    return _reply_page(request, _visible_comment(pk))


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    keep_input(request, "body")  # given back by a 503 (only ever for a POST)
    comment = _own_comment(request, pk)
    body, error, status = comment.body, "", 200
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            services.edit_comment(comment=comment, author=request.user, body=body)
        except CommentRefused as e:
            error, status = e.message, e.http_status
        else:
            if comment.status == Status.PENDING:
                messages.info(request, "Your comment is saved and awaits moderation.")
            else:
                messages.success(request, "Your comment is saved.")
            return redirect(comment.get_absolute_url())
    return render(
        request,
        "comments/edit.html",
        {
            "comment": comment,
            "article": comment.article,
            "form_body": body,
            "form_error": error,
            "max_length": settings.COMMENTS_MAX_LENGTH,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own_comment(request, pk)
    if request.method == "POST":
        services.remove_comment(comment=comment, author=request.user)
        messages.success(request, "Your comment was removed.")
        return redirect(comment.get_absolute_url())
    return render(request, "comments/remove.html", {"comment": comment})


@require_http_methods(["GET", "POST"])
@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a comment with a category and an optional note.

    The article page posts here from the comment itself (no JavaScript needed) and the
    reader comes back to the comment; this page shows the same form on its own, and again
    with the problem when something was missing.
    """
    comment = _visible_comment(pk)
    if comment.author_id == request.user.pk:
        return render(
            request,
            "comments/message.html",
            {"title": "Report a comment", "text": "You cannot report your own comment."},
            status=403,
        )
    form = ReportForm(request.POST if request.method == "POST" else None, comment_id=comment.pk)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.report_comment(
                comment=comment,
                reporter=request.user,
                category=form.cleaned_data["category"],
                note=form.cleaned_data["note"],
            )
        except CommentRefused as e:
            form.add_error(None, e.message)
            status = e.http_status
        else:
            if request.headers.get("X-Requested-With") == "report":
                return JsonResponse({"message": REPORTED})
            # Back at the comment, with the thank-you beside it (sections.article_section).
            return redirect(f"{comment.get_absolute_url()}?reported=1")
    elif request.method == "POST":
        status = 400
    if request.method == "POST" and request.headers.get("X-Requested-With") == "report":
        errors = [e for field in form.errors.values() for e in field]
        return JsonResponse({"message": " ".join(errors)}, status=status)
    return render(
        request, "comments/report.html", {"comment": comment, "form": form}, status=status
    )


@require_safe
def permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment's lasting address: the page of its thread that holds it, scrolled to it.

    Threads are paged by their top-level comments, oldest first, so the page is the
    position of the comment's thread among the article's public threads.
    """
    comment = get_object_or_404(
        Comment.objects.select_related("article", "thread"),
        pk=pk,
        article__in=Article.objects.published(),
    )
    root = comment.thread or comment
    before = Comment.objects.filter(
        Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk),
        article_id=comment.article_id,
        parent__isnull=True,
        status__in=[Status.APPROVED, Status.REMOVED],
    ).count()
    page = before // settings.COMMENTS_PER_PAGE + 1
    query = {"cpage": page} if page > 1 else {}
    if request.GET.get("reported") and request.user.is_authenticated:
        query["reported"] = comment.pk  # the report's thank-you, beside the comment
    query = f"?{urlencode(query)}" if query else ""
    return redirect(f"{comment.article.get_absolute_url()}{query}#comment-{comment.pk}")
