"""Comments in the Django admin. Status changes only through actions that call the same
services as the moderation queue, so every change is logged."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from . import services
from .models import Ban, Comment, ModerationLog, Report

ADMIN_REASON = "Decided in the admin"


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    can_delete = False
    fields = ("reporter", "category", "reason", "created_at", "resolved_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class LogInline(admin.TabularInline):
    model = ModerationLog
    fk_name = "comment"
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "from_status", "to_status", "moderator", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _run(modeladmin, request, queryset, func, label: str) -> None:
    changed = 0
    for comment in queryset.select_related("author", "article"):
        changed += len(func(comment=comment, moderator=request.user, reason=ADMIN_REASON))
    modeladmin.message_user(request, f"{changed} comment(s) {label}.", messages.SUCCESS)


@admin.action(description="Approve selected comments", permissions=["moderate"])
def approve(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.comment_approve, "approved")


@admin.action(description="Reject selected comments", permissions=["moderate"])
def reject(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.comment_reject, "rejected")


@admin.action(description="Mark selected comments as spam", permissions=["moderate"])
def mark_spam(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.comment_mark_spam, "marked spam")


@admin.action(description="Undo the last decision on selected comments", permissions=["moderate"])
def restore(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.comment_restore, "restored")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "excerpt",
        "author",
        "article",
        "status",
        "hold_reason",
        "report_count",
        "created_at",
    )
    list_filter = ("status", "hold_reason", "created_at")
    search_fields = ("body", "author__email", "author__display_name", "article__title")
    list_select_related = ("author", "article")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = [approve, reject, mark_spam, restore]
    inlines = [ReportInline, LogInline]
    readonly_fields = (
        "article",
        "author",
        "parent",
        "thread",
        "depth",
        "body",
        "status",
        "hold_reason",
        "hold_reason_text",
        "created_at",
        "edited_at",
        "ip_address",
        "ip_scrubbed",
        "user_agent",
        "report_count",
    )
    fields = readonly_fields

    @admin.display(description="Comment")
    def excerpt(self, obj: Comment) -> str:
        # Returned as plain text: the admin escapes it.
        return obj.body[:80] + ("…" if len(obj.body) > 80 else "")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is hard-deleted; reject or mark spam instead

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "action",
        "comment",
        "subject",
        "actor",
        "from_status",
        "to_status",
        "reason",
        "about",
    )
    list_filter = ("action", "created_at")
    list_select_related = ("comment__author", "subject", "moderator")
    search_fields = ("reason", "comment__body", "about")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("comment", "reporter", "category", "reason", "created_at", "resolved_at")
    list_select_related = ("comment__author", "reporter")
    readonly_fields = ("comment", "reporter", "category", "reason", "created_at", "resolved_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description="Lift selected bans", permissions=["moderate"])
def lift(modeladmin, request, queryset):
    for ban in queryset.select_related("user"):
        services.lift_ban(ban=ban, moderator=request.user, reason=ADMIN_REASON)
    modeladmin.message_user(request, "Bans lifted.", messages.SUCCESS)


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ("user", "until", "reason", "moderator", "created_at", "lifted_at", "active")
    list_select_related = ("user", "moderator")
    raw_id_fields = ("user",)
    actions = [lift]
    fields = ("user", "until", "reason")

    @admin.display(boolean=True)
    def active(self, obj: Ban) -> bool:
        return obj.is_active

    def get_readonly_fields(self, request, obj=None):
        # A ban is a record: change it by lifting it and banning again.
        return self.fields if obj else ()

    def has_add_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def save_model(self, request, obj, form, change):
        if change:
            return
        ban = services.ban_user(
            user=obj.user, moderator=request.user, until=obj.until, reason=obj.reason
        )
        obj.pk = ban.pk
        obj.created_at = ban.created_at or timezone.now()
