"""The moderation queue and bans, for the Moderators group (permission
comments.moderate_comment). Every decision goes through services."""

from __future__ import annotations

import math
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serving.sites import local_path

from . import featured, services
from .forms import BanForm, BulkActionForm, LiftBanForm, QueueFilterForm, parse_id
from .models import Ban, Comment, ModerationLog, Report, Status
from .permissions import can_moderate
from .selectors import author_records, moderation_counts

QUEUE_PAGE_SIZE = 50

ACTIONS = {
    "approve": (services.comment_approve, "approved"),
    "reject": (services.comment_reject, "rejected"),
    "spam": (services.comment_mark_spam, "marked spam"),
    "restore": (services.comment_restore, "restored"),
    "feature": (featured.comment_feature, "featured"),
    "unfeature": (featured.comment_unfeature, "no longer featured"),
}


def moderator_required(view):
    """Signed in (else the login page) and a moderator (else 403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_moderate(request.user):
            raise PermissionDenied("Moderators only.")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _back(request: HttpRequest) -> str:
    return local_path(request, request.POST.get("next"), reverse("comments:queue"))


def _queue_rows():
    """Comments as a queue row shows them: article, author, the parent it answers, reports
    (and how many are open), history."""
    return (
        Comment.objects.select_related("article", "author", "parent__author")
        .prefetch_related(
            Prefetch("reports", queryset=Report.objects.select_related("reporter")),
            Prefetch("log", queryset=ModerationLog.objects.select_related("moderator")),
        )
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
    )


def _filtered(form: QueueFilterForm):
    qs = _queue_rows()
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or "pending"
    if status == "reported":
        # From the first report, whatever the status; a decision answers the reports.
        qs = qs.filter(open_reports__gt=0)
    elif status != "all":
        qs = qs.filter(status=status)
    if data.get("reason"):
        qs = qs.filter(hold_reason=data["reason"])
    if article := (data.get("article") or "").strip():
        qs = qs.filter(Q(article__slug=article) | Q(article_id=parse_id(article)))
    if author := (data.get("author") or "").strip():
        match = Q(author__display_name__icontains=author) | Q(author__email__iexact=author)
        if (author_id := parse_id(author)) is not None:
            match |= Q(author_id=author_id)
        qs = qs.filter(match)
    if data.get("comment"):
        qs = qs.filter(pk=data["comment"])
    # Pending first, then oldest first: the queue is worked from the top.
    return qs.annotate(
        pending_first=Case(
            When(status=Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("pending_first", "created_at", "id")


def _count_text(total: int, number: int, num_pages: int) -> str:
    """The line above the list: "12 comments." or "120 comments, page 1 of 3."."""
    text = f"{total} comment{'s' if total != 1 else ''}"
    return f"{text}, page {number} of {num_pages}." if num_pages > 1 else f"{text}."


@require_http_methods(["GET", "POST"])
@moderator_required
def queue(request: HttpRequest) -> HttpResponse:
    """Pending first, oldest first, with hold reasons, reports and each author's record."""
    if request.method == "POST":
        return _decide(request)
    filters = QueueFilterForm(request.GET or None)
    page = Paginator(_filtered(filters), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    comments = list(page.object_list)
    records = author_records(c.author_id for c in comments)
    for c in comments:
        c.record = records.get(c.author_id, {})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "comments/queue.html",
        {
            "filters": filters,
            "page_obj": page,
            "comments": comments,
            "count_text": _count_text(page.paginator.count, page.number, page.paginator.num_pages),
            "live_url": reverse("comments:queue_live") + ("?" + query.urlencode() if query else ""),
            "bulk": BulkActionForm(),
            "query_prefix": query.urlencode(),
            "here": request.get_full_path(),
        },
    )


LIVE_IDS_MAX = 500  # ids a poll may say it shows (two pages' worth and then some)


@require_GET
@moderator_required
def queue_live(request: HttpRequest) -> JsonResponse:
    """What changed since the moderator's page was drawn: the header counts, the count
    line, and the rows of page 1 of the same filters that the page does not show yet,
    each with the id of the row it comes after ("" for the top), in queue order.

    static/js/moderation.js polls it every few seconds (docs/comments.md: why polling and
    not server-sent events). Six queries when nothing is new: session, user, the
    permission check (two), the ids (and the total, a seventh, past a page), the counts;
    new rows add what the page takes to render them."""
    filters = QueueFilterForm(request.GET or None)
    shown = {i for i in map(parse_id, request.GET.get("shown", "").split(",")[:LIVE_IDS_MAX]) if i}
    filtered = _filtered(filters)
    limit = QUEUE_PAGE_SIZE + len(shown)
    ids = list(filtered.values_list("pk", flat=True)[:limit])
    new, after, previous = [], {}, ""
    for pk in ids:
        if pk not in shown and len(new) < QUEUE_PAGE_SIZE:
            new.append(pk)
            after[str(pk)] = previous
        previous = str(pk)
    rows = _rows_html(request, new) if new else {}
    total = filtered.count() if len(ids) == limit else len(ids)
    return JsonResponse(
        {
            "rows": [
                {"id": str(pk), "after": after[str(pk)], "html": rows[str(pk)]}
                for pk in new
                if str(pk) in rows  # decided and filtered out between the two queries
            ],
            "count_text": _count_text(total, 1, math.ceil(total / QUEUE_PAGE_SIZE)),
            **_counts(),
        }
    )


def _wants_json(request: HttpRequest) -> bool:
    # static/js/moderation.js asks for the changed rows instead of a new page.
    return request.headers.get("X-Requested-With") == "moderation"


def _decide(request: HttpRequest) -> HttpResponse:
    """One row's button ("approve:12", with that row's own reason field) or the bulk bar
    (checked rows + action + the bar's reason)."""
    single = request.POST.get("single", "")
    data = request.POST.copy()
    if single:
        action, _, pk = single.partition(":")
        data["action"] = action
        data["reason"] = request.POST.get(f"reason-{pk}", "")
        data.setlist("comments", [pk])
    form = BulkActionForm(data)
    ids = form.cleaned_data["comments"] if form.is_valid() else []
    if not ids:
        text = "Choose at least one comment and an action."
        if _wants_json(request):
            return JsonResponse({"message": text}, status=400)
        messages.error(request, text)
        return redirect(_back(request))
    func, done = ACTIONS[form.cleaned_data["action"]]
    changed = 0
    for comment in Comment.objects.filter(pk__in=ids).select_related("author", "article"):
        changed += len(
            func(
                comment=comment,
                moderator=request.user,
                reason=form.cleaned_data["reason"],
                also_replies=form.cleaned_data["also_replies"],
            )
        )
    text = f"{changed} comment{'s' if changed != 1 else ''} {done}."
    if _wants_json(request):
        return JsonResponse({"message": text, "rows": _rows_html(request, ids), **_counts()})
    messages.success(request, text)
    return redirect(_back(request))


def _rows_html(request: HttpRequest, ids: list[int]) -> dict[str, str]:
    """The decided rows re-rendered, for the page to swap in place."""
    rows = list(_queue_rows().filter(pk__in=ids))
    records = author_records(c.author_id for c in rows)
    html = {}
    for c in rows:
        c.record = records.get(c.author_id, {})
        html[str(c.pk)] = render_to_string(
            "comments/includes/queue_item.html", {"c": c}, request=request
        )
    return html


def _counts() -> dict:
    return {"counts": moderation_counts()}


@require_http_methods(["GET", "POST"])
@moderator_required
def ban(request: HttpRequest, user_id: int) -> HttpResponse:
    """Suspend a reader for 1 hour, 1 day, 7 days or for good."""
    target = get_object_or_404(get_user_model(), pk=user_id)
    form = BanForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            delta = form.until_delta
            try:
                services.ban_user(
                    user=target,
                    moderator=request.user,
                    until=timezone.now() + delta if delta else None,
                    reason=form.cleaned_data["reason"],
                    reject_pending=form.cleaned_data["reject_pending"],
                )
            except PermissionDenied as e:
                form.add_error(None, str(e))
                status = 400
            else:
                messages.success(request, f"{target.public_name} is banned from commenting.")
                return redirect("comments:ban", user_id=target.pk)
        else:
            status = 400
    return render(
        request,
        "comments/ban.html",
        {
            "target": target,
            "form": form,
            "bans": Ban.objects.filter(user=target).select_related("moderator"),
            "record": author_records([target.pk]).get(target.pk, {}),
            "now": timezone.now(),
        },
        status=status,
    )


@require_POST
@moderator_required
def lift_ban(request: HttpRequest, ban_id: int) -> HttpResponse:
    ban = get_object_or_404(Ban, pk=ban_id)
    form = LiftBanForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.lift_ban(ban=ban, moderator=request.user, reason=reason)
    messages.success(request, "The ban is lifted.")
    return redirect("comments:ban", user_id=ban.user_id)
