"""Editors' pages beside the article form: preview before saving, and revision diffs."""

from __future__ import annotations

import difflib
import re

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
from django.utils.safestring import mark_safe

from . import autosave
from .body import library_ids, render_body
from .library import Image
from .models import Article, ArticleRevision, Source
from .sanitize import sanitize_html

DIFF_FIELDS = (("title", "Title"), ("summary", "Summary"), ("body", "Body"))
BLOCK_END = re.compile(r"(</(?:p|h[1-6]|li|blockquote|figure|div|ul|ol)>|<br\s*/?>)")


def preview_view(model_admin):
    """The article page built from the unsaved form the editor posts: nothing is stored."""

    def view(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        instance = None
        if pk := request.POST.get("_preview_of", "").strip():
            instance = get_object_or_404(Article, pk=pk) if pk.isdigit() else None
            if instance is None or not model_admin.has_change_permission(request, instance):
                raise PermissionDenied
        elif not model_admin.has_add_permission(request):
            raise PermissionDenied
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


def _lines(field: str, text: str) -> list[str]:
    if field == "body":
        text = BLOCK_END.sub(lambda m: m.group(1) + "\n", text or "")
    return (text or "").splitlines() or [""]


def diff_tables(old: dict, new: dict) -> list[tuple[str, str, bool]]:
    """(label, side-by-side HTML table, changed) for title, summary and body.

    difflib's HtmlDiff escapes every line it prints (&, < and >), so markup in a
    revision shows as text.
    """
    differ = difflib.HtmlDiff(wrapcolumn=60)
    tables = []
    for field, label in DIFF_FIELDS:
        a, b = old.get(field, ""), new.get(field, "")
        table = differ.make_table(
            _lines(field, a), _lines(field, b), "Older", "Newer", context=True, numlines=2
        )
        tables.append((label, mark_safe(table), a != b))  # noqa: S308 - escaped by difflib
    return tables


def diff_view(model_admin):
    """Two revisions of an article side by side; `?a=<id>&b=<id>`, default the last two."""

    def view(request: HttpRequest, article_id: int) -> HttpResponse:
        article = get_object_or_404(Article, pk=article_id)
        if not model_admin.has_view_or_change_permission(request, article):
            raise PermissionDenied
        revisions = list(article.revisions.select_related("author"))
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
        tables = diff_tables(older.snapshot, newer.snapshot) if newer else []
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
                "tables": tables,
                "opts": Article._meta,
            },
        )

    return view


def autosave_view(model_admin):
    """Keep the posted text of an article form (static/js/autosave.js), or discard it."""

    def view(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = None
        if pk := request.POST.get("_preview_of", "").strip():
            article = get_object_or_404(Article, pk=pk) if pk.isdigit() else None
            if article is None or not model_admin.has_change_permission(request, article):
                raise PermissionDenied
        elif not model_admin.has_add_permission(request):
            raise PermissionDenied
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
