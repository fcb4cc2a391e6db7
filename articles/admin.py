"""The editors' admin: articles, sources, topics and promos."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from js_asset import Media

from . import autosave, publishing
from .admin_forms import ArticleAdminForm, PublishAtField, zone_name
from .admin_images import ImageAdmin
from .admin_views import autosave_view, diff_view, preview_view
from .deletion import ProtectedDeleteMixin
from .house import house_source
from .models import FEED_FIELDS, Article, ArticleRevision, Correction, Pin, Promo, Source, Topic
from .revisions import changes_in_words

__all__ = ["ArticleAdmin", "ImageAdmin"]


def when(value) -> str:
    """A date and time in the site's zone, with the zone named."""
    return timezone.localtime(value).strftime("%d %b %Y %H:%M %Z") if value else "-"


def when_short(value) -> str:
    """The same for list columns: the year only when it is not this one."""
    if not value:
        return "-"
    local = timezone.localtime(value)
    same_year = local.year == timezone.localtime().year
    return local.strftime("%d %b %H:%M %Z" if same_year else "%d %b %Y %H:%M %Z")


class CorrectionInline(admin.StackedInline):
    """A new correction is published through `publishing.correct` (ArticleAdmin.
    save_formset), dated when it is saved: followers' story updates pick corrections by
    that date, so one dated earlier could miss them."""

    model = Correction
    extra = 0
    fields = ("kind", "published_at", "text")
    readonly_fields = ("published_at",)


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    extra = 0
    can_delete = False
    fields = ("saved", "author", "changes", "compare_link", "restore_link")
    readonly_fields = fields
    verbose_name_plural = "Revisions (every save; compare or restore an earlier one)"

    @admin.display(description="Saved")
    def saved(self, rev: ArticleRevision) -> str:
        return when(rev.created_at)

    @admin.display(description="What changed")
    def changes(self, rev: ArticleRevision) -> str:
        return changes_in_words(rev.changed_fields)

    @admin.display(description="Compare")
    def compare_link(self, rev: ArticleRevision):
        url = reverse("admin:articles_article_diff", args=[rev.article_id])
        return format_html('<a href="{}?b={}">Compare with the one before…</a>', url, rev.pk)

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Restore")
    def restore_link(self, rev: ArticleRevision):
        url = reverse("admin:articles_article_restore", args=[rev.article_id, rev.pk])
        return format_html('<a href="{}">Restore this version…</a>', url)


class ScheduleForm(forms.Form):
    # The same date and time boxes (and format) as the article's edit form.
    publish_at = PublishAtField(label="Publish at")

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


class _IdOnlyAutocompleteOne(AutocompleteSelect):
    """The same for a single choice (the library pickers, a pin's article and topic)."""

    def optgroups(self, name, value, attr=None):
        ids = [v for v in value if str(v).isascii() and str(v).isdigit() and len(str(v)) < 19]
        return super().optgroups(name, ids, attr)


class IdOnlyAutocompleteMixin:
    """For a ModelAdmin with autocomplete_fields: never a 500 for a posted id that is not
    one."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and type(field.widget) is AutocompleteSelect:
            field.widget.__class__ = _IdOnlyAutocompleteOne
        return field


@admin.register(Article)
class ArticleAdmin(IdOnlyAutocompleteMixin, ProtectedDeleteMixin, admin.ModelAdmin):
    instead = (
        "Withdraw it instead: select it in the list and choose “Withdraw” (or set Status "
        "to Withdrawn and save). It leaves the site and everything attached to it is kept."
    )
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ("title", "source", "state", "published", "updated")
    list_filter = ("status", "source", "topics", "published_at")
    list_select_related = ("source",)
    search_fields = ("title", "body", "summary")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("topics", "image", "social_image")
    raw_id_fields = ()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and type(field.widget) is AutocompleteSelectMultiple:
            field.widget.__class__ = _IdOnlyAutocomplete
        return field

    readonly_fields = (
        "image_preview",
        "preview_link",
        "updated_at",
        "reviewed_by",
        "full_text",
    )
    inlines = [CorrectionInline, RevisionInline]
    actions = ["publish_now", "unpublish", "withdraw", "schedule", "pin_home_lead"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body")}),
        (
            "Lead image",
            {
                "description": "Choose a picture from the library, or upload one for this "
                "article alone.",
                "fields": (
                    "image",
                    "lead_image",
                    "image_preview",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ),
            },
        ),
        (
            "Origin",
            {"fields": ("source", "agency", "byline", "original_url", "full_text", "vetted")},
        ),
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
                    "reviewed_by",
                )
            },
        ),
        (
            "Sharing",
            {
                "classes": ("collapse",),
                "fields": ("social_title", "social_description", "social_image"),
            },
        ),
    )

    @admin.display(description="State", ordering="status")
    def state(self, obj: Article) -> str:
        if obj.is_scheduled:
            return format_html("<strong>Scheduled</strong> {}", when_short(obj.published_at))
        return obj.get_status_display()

    @admin.display(description="Published", ordering="published_at")
    def published(self, obj: Article) -> str:
        return when_short(obj.published_at)

    @admin.display(description="Updated", ordering="updated_at")
    def updated(self, obj: Article) -> str:
        return when_short(obj.updated_at)

    @admin.display(description="Full text")
    def full_text(self, obj: Article) -> str:
        """For editors: whether the body is the page fetched from the original address."""
        if not obj.full_text_fetched_at:
            return "-"
        when = timezone.localtime(obj.full_text_fetched_at).strftime("%d %b %Y %H:%M")
        return f"Full text fetched from {obj.original_url} at {when}"

    @admin.display(description="Current image")
    def image_preview(self, obj: Article):
        if not obj.renditions:
            return "No image yet."
        url = obj.renditions["jpeg"][0][1]
        return format_html('<img src="{}" alt="{}" width="240">', url, obj.image_alt)

    @admin.display(description="Preview")
    def preview_link(self, obj: Article):
        if not obj.pk:
            return "Use the Preview button below: it shows the article before it is saved."
        if obj.is_visible:
            label = "View on site"
        elif obj.is_scheduled:
            label = f"Scheduled for {when(obj.published_at)}: preview"
        else:
            label = "Preview this draft"
        return format_html('<a href="{}" target="_blank">{}</a>', obj.get_absolute_url(), label)

    def render_change_form(self, request, context, *args, **kwargs):
        # The editor's import map is an inline script: it carries this response's CSP nonce.
        context["media"] = Media.from_media(context["media"], nonce=str(request.csp_nonce))
        context["zone"] = zone_name()
        context["autosave"] = autosave.pending(user=request.user, article=kwargs.get("obj"))
        context["autosave_restored"] = request.GET.get("autosave") == "restore"
        return super().render_change_form(request, context, *args, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.pop("autosave", None)
        # Written in the admin: the newsroom's own reporting, credited to the house.
        if "source" not in initial and (house := house_source()) is not None:
            initial["source"] = house.pk
        if request.GET.get("autosave") == "restore":
            if kept := autosave.pending(user=request.user, article=None):
                initial.update(kept.data)
        return initial

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "GET" and request.GET.get("autosave") == "restore":
            # Shown in the form, saved only when the editor saves.
            if kept := autosave.pending(user=request.user, article=obj):
                for name, value in kept.data.items():
                    setattr(obj, name, value)
        return obj

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.current_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.status == Article.Status.PUBLISHED:
            publishing.note_reviewer(article=obj, user=request.user)
        # An editor who changes what a feed provides takes the article over: later
        # fetches of the feed no longer overwrite it (ingest/importer.py).
        if obj.guid and FEED_FIELDS.intersection(form.changed_data):
            obj.edited_in_admin = True
        super().save_model(request, obj, form, change)
        # Saved for real: the autosave (of this article, or of the new one) has done its job.
        autosave.discard(user=request.user, article=obj if change else None)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        kept = formset.save(commit=False)
        for correction in formset.deleted_objects:
            correction.delete()
        for correction in kept:
            if correction.pk is None:  # a new one is published: the service's whole write
                publishing.correct(
                    article=form.instance,
                    author=request.user,
                    text=correction.text,
                    kind=correction.kind,
                )
            else:
                correction.save()
        return None

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
        if not publishing.can_publish(request.user):
            self.message_user(request, "Only editors who may publish can do this.", messages.ERROR)
            return
        n = 0
        for article in queryset:
            publishing.publish(article=article, author=request.user, when=timezone.now())
            n += 1
        self.message_user(request, f"Published {n} article(s).", messages.SUCCESS)

    def _each(self, request, queryset, write, done: str) -> None:
        n = 0
        for article in queryset:
            write(article=article, author=request.user)
            n += 1
        self.message_user(request, f"{done} {n} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        self._each(request, queryset, publishing.unpublish, "Unpublished")

    @admin.action(description="Withdraw (off the site for good)", permissions=["change"])
    def withdraw(self, request, queryset):
        self._each(request, queryset, publishing.withdraw, "Withdrew")

    @admin.action(description="Schedule…", permissions=["change"])
    def schedule(self, request, queryset):
        if not publishing.can_publish(request.user):
            self.message_user(request, "Only editors who may publish can do this.", messages.ERROR)
            return None
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            at = form.cleaned_data["publish_at"]
            for article in queryset:
                publishing.publish(article=article, author=request.user, when=at)
            self.message_user(
                request,
                f"Scheduled {queryset.count()} article(s) for {when(at)}.",
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/articles/schedule.html",
            {
                **self.admin_site.each_context(request),
                "title": "Schedule articles",
                "media": self.media + form.media,
                "articles": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Pin as the home page's lead", permissions=["change"])
    def pin_home_lead(self, request, queryset):
        article = queryset.order_by("-published_at").first()
        if article is None:
            return
        Pin.objects.create(article=article, topic=None, created_by=request.user)
        self.message_user(
            request,
            f"“{article}” leads the home page once published, until another pin or the pin "
            "ends (set an end time under Pins).",
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(preview_view(self)),
                name="articles_article_preview",
            ),
            path(
                "autosave/",
                self.admin_site.admin_view(autosave_view(self)),
                name="articles_article_autosave",
            ),
            path(
                "<int:article_id>/diff/",
                self.admin_site.admin_view(diff_view(self)),
                name="articles_article_diff",
            ),
            path(
                "<int:article_id>/restore/<int:revision_id>/",
                self.admin_site.admin_view(self.restore_view),
                name="articles_article_restore",
            ),
        ] + super().get_urls()

    def restore_view(self, request: HttpRequest, article_id: int, revision_id: int):
        article = get_object_or_404(Article, pk=article_id)
        if not self.has_change_permission(request, article):
            raise admin.sites.PermissionDenied
        revision = get_object_or_404(ArticleRevision, pk=revision_id, article=article)
        if request.method == "POST":
            notes: list[str] = []
            publishing.restore(revision=revision, author=request.user, notes=notes)
            self.message_user(
                request,
                f"Restored the version of {when(revision.created_at)}.",
                messages.SUCCESS,
            )
            for note in notes:
                self.message_user(request, note, messages.WARNING)
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
    list_display = ("name", "kind", "is_house", "vetted", "is_active", "feed_url")
    list_filter = ("kind", "is_active", "vetted")
    readonly_fields = ("is_house",)
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


@admin.register(Pin)
class PinAdmin(IdOnlyAutocompleteMixin, admin.ModelAdmin):
    list_display = ("article", "where", "position", "starts", "ends")
    list_filter = ("topic",)
    autocomplete_fields = ("article", "topic")
    fields = ("article", "topic", "position", "starts_at", "ends_at")

    @admin.display(description="Where", ordering="topic")
    def where(self, obj: Pin) -> str:
        return f"Top of {obj.topic}" if obj.topic_id else "Home page lead"

    @admin.display(description="Starts", ordering="starts_at")
    def starts(self, obj: Pin) -> str:
        return when(obj.starts_at)

    @admin.display(description="Ends", ordering="ends_at")
    def ends(self, obj: Pin) -> str:
        return when(obj.ends_at) if obj.ends_at else "When replaced"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
