"""The incoming desk's page in the admin (/admin/stories/story/incoming/): permissions
as for articles (change_article to see and reject, and publishing as the article admin
allows it), decisions by plain form posts that come back to the desk."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from articles.models import Article
from articles.publishing import can_publish

from . import desk


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 19]


def incoming_view(admin_site):
    def view(request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("articles.change_article"):
            raise PermissionDenied
        if request.method == "POST":
            return _decide(request)
        opened = _ids(request.GET.get("open", "").split(",")) if "open" in request.GET else None
        drafts = list(desk.incoming_drafts(opened)[: desk.DESK_LIMIT])
        for article in drafts:
            article.trust, article.trust_key = desk.source_trust(article.source)
        context = {
            **admin_site.each_context(request),
            "title": "Incoming desk",
            "groups": desk.group_by_story(drafts),
            "per_source": desk.counts_per_source(drafts),
            "total": len(drafts),
            "opened": opened is not None,
            "may_publish": can_publish(request.user),
            "opts": Article._meta,
        }
        return TemplateResponse(request, "admin/stories/incoming.html", context)

    return view


def _decide(request: HttpRequest) -> HttpResponse:
    single = request.POST.get("single", "")
    action, _, one = single.partition(":")
    if not single:
        action = request.POST.get("action", "")
    ids = _ids([one]) if single else _ids(request.POST.getlist("ids"))
    back = reverse("admin:stories_incoming")
    if not ids:
        messages.warning(request, "Select one or more drafts first.")
        return HttpResponseRedirect(back)
    if action == "open":
        return HttpResponseRedirect(f"{back}?{urlencode({'open': ','.join(map(str, ids))})}")
    articles = list(desk.incoming_drafts().defer(None).filter(pk__in=ids))
    if action == "publish":
        if not can_publish(request.user):
            raise PermissionDenied
        n = desk.publish_drafts(articles=articles, editor=request.user)
        messages.success(request, f"Published {n} draft{'s' if n != 1 else ''}.")
    elif action == "reject":
        n = desk.reject_drafts(articles=articles, editor=request.user)
        messages.success(
            request, f"Rejected {n} draft{'s' if n != 1 else ''}: withdrawn, never imported again."
        )
    else:
        messages.error(request, "Choose Publish, Reject or Open.")
    focus = request.POST.get("focus", "")
    return HttpResponseRedirect(back + (f"#draft-{focus}" if focus.isdigit() else ""))
