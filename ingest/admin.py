"""The source admin, extended with feed ingestion: fetch status columns and "Fetch now"."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html

from articles.admin import SourceAdmin
from articles.models import Source

from .importer import ingest_source
from .models import FeedState


class FeedSourceAdmin(SourceAdmin):
    list_display = (
        *SourceAdmin.list_display,
        "last_fetched_at",
        "feed_status",
        "consecutive_failures",
    )
    readonly_fields = ("last_fetched_at", "last_error", "consecutive_failures")
    actions = ["fetch_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("feed_state")

    def _state(self, obj: Source) -> FeedState:
        return FeedState.of(obj)

    @admin.display(description="Last fetched", ordering="feed_state__last_fetched_at")
    def last_fetched_at(self, obj: Source):
        return self._state(obj).last_fetched_at

    @admin.display(description="Last error")
    def last_error(self, obj: Source) -> str:
        return self._state(obj).last_error or "-"

    @admin.display(description="Failures in a row", ordering="feed_state__consecutive_failures")
    def consecutive_failures(self, obj: Source) -> int:
        return self._state(obj).consecutive_failures

    @admin.display(description="Feed status", ordering="feed_state__consecutive_failures")
    def feed_status(self, obj: Source) -> str:
        if not obj.feed_url:
            return "-"
        state = self._state(obj)
        if state.last_fetched_at is None:
            return "Not fetched yet"
        if state.last_error:
            return format_html("<strong>Failing</strong>: {}", state.last_error[:160])
        return "OK"

    @admin.action(description="Fetch now", permissions=["change"])
    def fetch_now(self, request, queryset):
        for source in queryset:
            if not source.feed_url:
                self.message_user(request, f"{source.slug}: no feed URL.", messages.WARNING)
                continue
            report = ingest_source(source=source)
            level = (
                messages.ERROR
                if report.failed
                else messages.WARNING
                if report.errors
                else messages.SUCCESS
            )
            detail = f" First problem: {report.messages[0]}" if report.messages else ""
            self.message_user(request, report.line() + "." + detail, level)


admin.site.unregister(Source)
admin.site.register(Source, FeedSourceAdmin)
