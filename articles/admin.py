"""The editors' admin: articles, sources, topics and promos."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from . import publishing
from .deletion import ProtectedDeleteMixin
from .models import FEED_FIELDS, Article, ArticleRevision, Correction, Promo, Source, Topic


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ("kind", "published_at", "text")


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    extra = 0
    can_delete = False
    fields = ("created_at", "author", "changed_fields", "restore_link")
    readonly_fields = fields
    verbose_name_plural = "Revisions (every save; restore an earlier one)"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Restore")
    def restore_link(self, rev: ArticleRevision):
        url = reverse("admin:articles_article_restore", args=[rev.article_id, rev.pk])
        return format_html('<a href="{}">Restore this version…</a>', url)


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def clean_publish_at(self):
        value = self.cleaned_data["publish_at"]
        if value <= timezone.now():
            raise forms.ValidationError("Choose a time in the future, or use Publish now.")
        return value


class _IdOnlyAutocomplete(AutocompleteSelectMultiple):
    """Django's autocomplete widget re-renders a refused form by querying the ids it was
    sent; anything that is not an id ("1\x00") made that query, and the page, a 500."""

    def optgroups(self, name, value, attr=None):
        ids = [v for v in value if str(v).isascii() and str(v).isdigit() and len(str(v)) < 19]
        return super().optgroups(name, ids, attr)


@admin.register(Article)
class ArticleAdmin(ProtectedDeleteMixin, admin.ModelAdmin):
    instead = (
        "Withdraw it instead: open it, set Status to Withdrawn and save. It leaves the "
        "site and everything attached to it is kept."
    )
    list_display = ("title", "source", "state", "published_at", "updated_at")
    list_filter = ("status", "source", "topics", "published_at")
    list_select_related = ("source",)
    search_fields = ("title", "body", "summary")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("topics",)
    raw_id_fields = ()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and type(field.widget) is AutocompleteSelectMultiple:
            field.widget.__class__ = _IdOnlyAutocomplete
        return field

    readonly_fields = ("image_preview", "preview_link", "updated_at")
    inlines = [CorrectionInline, RevisionInline]
    actions = ["publish_now", "unpublish", "schedule"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body")}),
        (
            "Lead image",
            {
                "fields": (
                    "lead_image",
                    "image_preview",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                )
            },
        ),
        ("Origin", {"fields": ("source", "agency", "byline", "original_url")}),
        (
            "Publishing",
            {
                "fields": (
                    "status",
                    "published_at",
                    "preview_link",
                    "topics",
                    "comments_enabled",
                    "updated_at",
                )
            },
        ),
    )

    @admin.display(description="State", ordering="status")
    def state(self, obj: Article) -> str:
        if obj.is_scheduled:
            return format_html(
                "<strong>Scheduled</strong> for {}", obj.published_at.strftime("%d %b %Y %H:%M")
            )
        return obj.get_status_display()

    @admin.display(description="Current image")
    def image_preview(self, obj: Article):
        if not obj.lead_image_renditions:
            return "No image yet."
        url = obj.lead_image_renditions["jpeg"][0][1]
        return format_html('<img src="{}" alt="{}" width="240">', url, obj.image_alt)

    @admin.display(description="Preview")
    def preview_link(self, obj: Article):
        if not obj.pk:
            return "Save the article to preview it."
        label = "View on site" if obj.is_visible else "Preview this draft"
        return format_html('<a href="{}" target="_blank">{}</a>', obj.get_absolute_url(), label)

    def save_model(self, request, obj, form, change):
        # An editor who changes what a feed provides takes the article over: later
        # fetches of the feed no longer overwrite it (ingest/importer.py).
        if obj.guid and FEED_FIELDS.intersection(form.changed_data):
            obj.edited_in_admin = True
        super().save_model(request, obj, form, change)
        self._changed = form.changed_data

    def save_related(self, request, form, formsets, change):
        # Snapshot after the topics are saved, so the revision holds the whole article.
        super().save_related(request, form, formsets, change)
        changed = list(form.changed_data) + [
            f"{fs.model._meta.verbose_name_plural}"
            for fs in formsets
            if fs.model is not ArticleRevision and fs.has_changed()
        ]
        publishing.record(article=form.instance, author=request.user, changed_fields=changed)

    @admin.action(description="Publish now", permissions=["change"])
    def publish_now(self, request, queryset):
        n = 0
        for article in queryset:
            publishing.publish(article=article, author=request.user, when=timezone.now())
            n += 1
        self.message_user(request, f"Published {n} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        n = 0
        for article in queryset:
            publishing.unpublish(article=article, author=request.user)
            n += 1
        self.message_user(request, f"Unpublished {n} article(s).", messages.SUCCESS)

    @admin.action(description="Schedule…", permissions=["change"])
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            when = form.cleaned_data["publish_at"]
            for article in queryset:
                publishing.publish(article=article, author=request.user, when=when)
            self.message_user(
                request,
                f"Scheduled {queryset.count()} article(s) for {when:%d %b %Y %H:%M}.",
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/articles/schedule.html",
            {
                **self.admin_site.each_context(request),
                "title": "Schedule articles",
                "articles": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def get_urls(self):
        return [
            path(
                "<int:article_id>/restore/<int:revision_id>/",
                self.admin_site.admin_view(self.restore_view),
                name="articles_article_restore",
            )
        ] + super().get_urls()

    def restore_view(self, request: HttpRequest, article_id: int, revision_id: int):
        article = get_object_or_404(Article, pk=article_id)
        if not self.has_change_permission(request, article):
            raise admin.sites.PermissionDenied
        revision = get_object_or_404(ArticleRevision, pk=revision_id, article=article)
        if request.method == "POST":
            publishing.restore(revision=revision, author=request.user)
            self.message_user(
                request,
                f"Restored the version of {revision.created_at:%d %b %Y %H:%M}.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        return TemplateResponse(
            request,
            "admin/articles/restore.html",
            {
                **self.admin_site.each_context(request),
                "title": "Restore an earlier version",
                "article": article,
                "revision": revision,
                "opts": self.model._meta,
            },
        )


@admin.register(Source)
class SourceAdmin(ProtectedDeleteMixin, admin.ModelAdmin):
    """Content fields only; feed ingestion (ingest/admin.py) extends this admin with its
    fetch columns and the "Fetch now" action."""

    instead = "Untick Active instead: it is no longer fetched and its articles stay."
    list_display = ("name", "kind", "is_active", "feed_url")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "aliases")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "in_navigation", "position")
    list_editable = ("in_navigation", "position")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Promo)
class PromoAdmin(admin.ModelAdmin):
    list_display = ("title", "placement", "is_active", "starts_at", "ends_at", "priority")
    list_filter = ("placement", "is_active")
    fieldsets = (
        (None, {"fields": ("placement", "title", "text", "is_active", "priority")}),
        ("Banner", {"fields": ("link_url", "link_label", "colour", "background_image")}),
        ("App block", {"fields": ("app_store_url", "play_store_url")}),
        ("When it runs", {"fields": ("starts_at", "ends_at")}),
    )
