"""The source admin, extended with feed ingestion: poll status columns and "Fetch now".

"Fetch now" (a button on each row, and an action for a selection) only enqueues a poll
with a high priority: the worker fetches, never the admin's request.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timesince import timesince, timeuntil
from django.views.decorators.http import require_POST

from articles.admin import SourceAdmin
from articles.models import Source

from .models import FeedState
from .tasks import poll_feed

FETCH_NOW_PRIORITY = 50  # ahead of scheduled polls and renditions


def enqueue_fetch(source: Source) -> None:
    poll_feed.using(priority=FETCH_NOW_PRIORITY).enqueue(source.pk)


class FeedSourceAdmin(SourceAdmin):
    # Kind and "active" are filters on the right: the row keeps what a glance needs.
    list_display = (
        "name",
        "feed_status",
        "last_result",
        "next_poll",
        "fetch_button",
    )
    readonly_fields = (
        *SourceAdmin.readonly_fields,
        "last_fetched_at",
        "last_error",
        "consecutive_failures",
        "next_poll",
    )
    actions = ["fetch_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("feed_state")

    def get_urls(self):
        fetch = self.admin_site.admin_view(require_POST(self.fetch_one_view))
        name = f"{self.opts.app_label}_{self.opts.model_name}_fetch"
        return [path("<int:pk>/fetch/", fetch, name=name), *super().get_urls()]

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
        if state.last_error and state.consecutive_failures:
            return format_html(
                '<strong>Failing</strong> ({} in a row): <span title="{}">{}</span>',
                state.consecutive_failures,
                state.last_error,
                Truncator(state.last_error).chars(90),
            )
        if state.last_error:  # the feed was read, some entries were left out
            status = format_html(
                'OK, with problems: <span title="{}">{}</span>',
                state.last_error,
                Truncator(state.last_error).chars(90),
            )
        else:
            status = "OK"
        return format_html("{}{}", status, self._notes(state))

    def _notes(self, state: FeedState) -> str:
        """What the feed needed to be read, and what fetching full text ran into."""
        lines = [
            (label, text)
            for label, text in (("Repaired", state.repairs), ("Full text", state.full_text_note))
            if text
        ]
        return format_html_join(
            "",
            '<br><small>{}: <span title="{}">{}</span></small>',
            ((label, text, Truncator(text).chars(90)) for label, text in lines),
        )

    @admin.display(description="Last result")
    def last_result(self, obj: Source) -> str:
        state = self._state(obj)
        if state.last_fetched_at is None:
            return "-"
        ago = timesince(state.last_fetched_at, depth=1)
        return f"{state.last_result or 'Fetched'}, {ago} ago"

    @admin.display(description="Next poll", ordering="feed_state__next_poll_at")
    def next_poll(self, obj: Source) -> str:
        if not obj.feed_url or not obj.is_active:
            return "-"
        at = self._state(obj).next_poll_at
        if at is None or at <= timezone.now():
            return "Due now"
        return f"in {timeuntil(at, depth=1)}"

    @admin.display(description="")
    def fetch_button(self, obj: Source) -> str:
        if not obj.feed_url:
            return ""
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_fetch", args=[obj.pk])
        # A submit button of the changelist's own form, sent to the fetch URL (with the
        # form's CSRF token): no nested form, no JavaScript.
        return format_html(
            '<button type="submit" class="button" formaction="{}" formmethod="post" '
            'aria-label="Fetch {} now">Fetch now</button>',
            url,
            obj.name,
        )

    def fetch_one_view(self, request: HttpRequest, pk: int):
        source = get_object_or_404(Source, pk=pk)
        if not self.has_change_permission(request, source):
            raise PermissionDenied
        self._queue(request, [source])
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )

    @admin.action(description="Fetch now", permissions=["change"])
    def fetch_now(self, request, queryset):
        self._queue(request, list(queryset))

    def _queue(self, request: HttpRequest, sources: list[Source]) -> None:
        for source in sources:
            if not source.feed_url:
                self.message_user(request, f"{source.slug}: no feed URL.", messages.WARNING)
                continue
            enqueue_fetch(source)
            self.message_user(
                request,
                f"{source.name}: fetch queued; the result shows here in a moment.",
                messages.SUCCESS,
            )


admin.site.unregister(Source)
admin.site.register(Source, FeedSourceAdmin)
