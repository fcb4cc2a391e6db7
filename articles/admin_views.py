"""Editors' pages beside the article form: preview before saving, revision comparison
(articles/revisions.py) and autosave."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from . import autosave
from .body import library_ids, render_body
from .library import Image
from .models import Article, ArticleRevision, Source
from .revisions import changes_in_words, compare
from .sanitize import sanitize_html


def _posted_article(model_admin, request: HttpRequest) -> Article | None:
    """The article an admin form posts for (`_preview_of`; None for a new one), once the
    editor may change it, or add one: PermissionDenied otherwise."""
    article = None
    if pk := request.POST.get("_preview_of", "").strip():
        article = get_object_or_404(Article, pk=pk) if pk.isdigit() else None
        if article is None or not model_admin.has_change_permission(request, article):
            raise PermissionDenied
    elif not model_admin.has_add_permission(request):
        raise PermissionDenied
    return article


def preview_view(model_admin):
    """The article page built from the unsaved form the editor posts: nothing is stored."""

    def view(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        instance = _posted_article(model_admin, request)
        form_class = model_admin.get_form(request, instance, change=instance is not None)
        form = form_class(request.POST, instance=instance)
        form.is_valid()  # the fields with errors keep their old value; the rest is previewed
        article = form.instance
        article.slug = article.slug or "preview"
        if article.source_id is None:
            article.source = Source(name="(no source chosen yet)", slug="preview")
        body = sanitize_html(article.body)
        used = library_ids(body)
        article.body_html = render_body(body, Image.objects.in_bulk(used) if used else {})
        topics = list(form.cleaned_data.get("topics") or [])
        context = {
            "article": article,
            "preview": True,
            "unsaved": True,
            "topics": topics,
            "corrections": [],
            "related": [],
            "promo": None,
            # Nothing of an unsaved preview goes into the shared fragment cache.
            "fragment_timeout": 0,
        }
        response = render(request, "articles/preview.html", context)
        response["Cache-Control"] = "private, no-store"
        return response

    return view


def diff_view(model_admin):
    """Two revisions of an article side by side; `?a=<id>&b=<id>`, default the last two."""

    def view(request: HttpRequest, article_id: int) -> HttpResponse:
        article = get_object_or_404(Article, pk=article_id)
        if not model_admin.has_view_or_change_permission(request, article):
            raise PermissionDenied
        revisions = list(article.revisions.select_related("author"))
        for revision in revisions:
            revision.changes = changes_in_words(revision.changed_fields)
        by_id = {r.pk: r for r in revisions}

        def chosen(name: str) -> ArticleRevision | None:
            value = request.GET.get(name, "")
            return by_id.get(int(value)) if value.isdigit() else None

        newer = chosen("b") or (revisions[0] if revisions else None)
        older = chosen("a")
        if older is None and newer is not None:
            later = [r for r in revisions if (r.created_at, r.pk) < (newer.created_at, newer.pk)]
            older = later[0] if later else newer
        if older and newer and (older.created_at, older.pk) > (newer.created_at, newer.pk):
            older, newer = newer, older
        rows, differing = compare(older.snapshot, newer.snapshot) if newer else ([], "")
        return TemplateResponse(
            request,
            "admin/articles/diff.html",
            {
                **model_admin.admin_site.each_context(request),
                "title": f"Changes to “{article.title}”",
                "article": article,
                "revisions": revisions,
                "older": older,
                "newer": newer,
                "rows": rows,
                "differing": differing,
                "opts": Article._meta,
            },
        )

    return view


def autosave_view(model_admin):
    """Keep the posted text of an article form (static/js/autosave.js), or discard it."""

    def view(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = _posted_article(model_admin, request)
        if request.POST.get("_discard"):
            autosave.discard(user=request.user, article=article)
            back = request.POST.get("next", "")
            if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
                return HttpResponseRedirect(back)
            return JsonResponse({"discarded": True})
        kept = autosave.keep(user=request.user, article=article, post=request.POST)
        local = timezone.localtime(kept.saved_at)
        return JsonResponse(
            {"saved_at": local.isoformat(), "label": f"Autosaved at {local:%H:%M:%S %Z}"}
        )

    return view
