"""The image library in the admin, and the picker the rich text editor opens."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from .deletion import ProtectedDeleteMixin
from .library import Image

PICKER_LIMIT = 60


@admin.register(Image)
class ImageAdmin(ProtectedDeleteMixin, admin.ModelAdmin):
    instead = (
        "Choose another picture in the articles that use it first (lead, social image or "
        "body); it can be deleted once nothing uses it."
    )
    list_display = ("thumbnail", "title", "alt_text", "credit", "created_at")
    list_display_links = ("thumbnail", "title")
    search_fields = ("title", "alt_text", "caption", "credit")
    readonly_fields = ("thumbnail", "focal_picker", "width", "height", "created_at", "uploaded_by")
    fields = (
        "file",
        "focal_picker",
        "title",
        "alt_text",
        "caption",
        "credit",
        ("focal_x", "focal_y"),
        ("width", "height"),
        "uploaded_by",
        "created_at",
    )

    @admin.display(description="Picture")
    def thumbnail(self, obj: Image):
        jpeg = obj.renditions.get("jpeg") if obj.pk else None
        if not jpeg:
            return "-"
        return format_html(
            '<img src="{}" alt="{}" width="160" height="90" class="library-thumb">',
            jpeg[0][1],
            obj.alt_text,
        )

    @admin.display(description="Focal point")
    def focal_picker(self, obj: Image):
        if not obj.pk or not obj.file:
            return "Save the picture first, then click the part that must stay in every crop."
        return format_html(
            '<span class="focal-picker"><img src="{}" alt="{}" width="{}" height="{}">'
            '<span class="focal-picker__dot" aria-hidden="true"></span></span>'
            '<span class="help">Click the part of the picture that every crop must keep.</span>',
            obj.file.url,
            obj.alt_text,
            obj.width or "",
            obj.height or "",
        )

    class Media:
        js = ("js/focal-point.js",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path("pick/", self.admin_site.admin_view(self.pick_view), name="articles_image_pick")
        ] + super().get_urls()

    def pick_view(self, request: HttpRequest):
        """A searchable grid of library images; choosing one fills the editor's figure."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "").strip()[:100]
        images = Image.objects.exclude(renditions={})
        if query:
            images = images.filter(
                Q(title__icontains=query)
                | Q(alt_text__icontains=query)
                | Q(credit__icontains=query)
            )
        return TemplateResponse(
            request,
            "admin/articles/image/pick.html",
            {
                **self.admin_site.each_context(request),
                "title": "Choose a picture",
                "images": images[:PICKER_LIMIT],
                "query": query,
                "func": request.GET.get("CKEditorFuncNum", ""),
                "is_popup": True,
                "opts": self.model._meta,
            },
        )
