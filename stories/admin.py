"""Editors' tools for stories: see why articles were grouped, split, merge, pin a lead,
edit or hide key points. Every decision goes through stories/services.py and survives
recomputation."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import path

from . import services
from .desk_views import incoming_view
from .models import KeyPoint, Story, StoryMembership


class MembershipInline(admin.TabularInline):
    model = StoryMembership
    extra = 0
    can_delete = False
    fields = ("article", "reason", "why", "locked")
    readonly_fields = fields
    verbose_name_plural = "Articles (split one out from the article list below)"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Evidence")
    def why(self, obj: StoryMembership) -> str:
        return obj.explanation()


class KeyPointInline(admin.TabularInline):
    model = KeyPoint
    fk_name = "story"
    extra = 0
    fields = ("sentence", "source_article", "edited_text", "hidden", "position")
    readonly_fields = ("sentence", "source_article")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "published_count", "source_count", "lead_pinned", "updated_at")
    list_select_related = ("lead",)
    search_fields = ("slug", "lead__title")
    readonly_fields = ("slug", "lead", "lead_pinned", "published_count", "source_count")
    fields = readonly_fields
    inlines = [MembershipInline, KeyPointInline]
    actions = ["merge"]

    def has_add_permission(self, request):
        return False  # stories come from articles

    def get_urls(self):
        # The incoming desk (stories/desk.py): feed drafts grouped by story.
        desk = self.admin_site.admin_view(incoming_view(self.admin_site))
        return [path("incoming/", desk, name="stories_incoming"), *super().get_urls()]

    @admin.action(description="Merge the selected stories into one", permissions=["change"])
    def merge(self, request, queryset):
        stories = list(queryset.order_by("created_at", "id"))
        if len(stories) < 2:
            self.message_user(request, "Select two or more stories to merge.", messages.WARNING)
            return
        services.merge_stories(target=stories[0], others=stories[1:])
        self.message_user(
            request, f"Merged {len(stories)} stories into “{stories[0]}”.", messages.SUCCESS
        )

    def save_formset(self, request, form, formset, change):
        # An editor's change to a key point marks it, so recomputation keeps it.
        for point in formset.save(commit=False):
            point.edited_by_editor = True
            point.edited_by = request.user
            point.save()


@admin.register(StoryMembership)
class StoryMembershipAdmin(admin.ModelAdmin):
    list_display = ("article", "story", "reason", "locked", "why")
    list_filter = ("reason", "locked")
    list_select_related = ("article", "story__lead")
    search_fields = ("article__title",)
    readonly_fields = ("article", "story", "reason", "why", "locked")
    fields = readonly_fields
    actions = ["split_out", "pin_as_lead"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Evidence")
    def why(self, obj: StoryMembership) -> str:
        return obj.explanation()

    @admin.action(description="Split out into a story of its own", permissions=["change"])
    def split_out(self, request, queryset):
        for membership in queryset.select_related("article"):
            services.split_article(article=membership.article)
        self.message_user(request, f"Split out {queryset.count()} article(s).", messages.SUCCESS)

    @admin.action(description="Pin as its story's lead", permissions=["change"])
    def pin_as_lead(self, request, queryset):
        for membership in queryset.select_related("article", "story"):
            services.pin_lead(story=membership.story, article=membership.article)
        self.message_user(request, "Lead pinned.", messages.SUCCESS)


@admin.register(KeyPoint)
class KeyPointAdmin(admin.ModelAdmin):
    list_display = ("__str__", "source_article", "hidden", "edited_by_editor")
    list_filter = ("hidden", "edited_by_editor")
    list_select_related = ("source_article",)
    search_fields = ("sentence", "edited_text")
    fields = ("sentence", "source_article", "article", "story", "edited_text", "hidden")
    readonly_fields = ("sentence", "source_article", "article", "story")

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        obj.edited_by_editor = True
        obj.edited_by = request.user
        super().save_model(request, obj, form, change)
