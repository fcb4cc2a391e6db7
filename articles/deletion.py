"""Deleting in the admin when other rows PROTECT the object: say so, and what to do instead.

Django's own confirmation page lists the protected rows and stops there; editors need
to know the way out (an article with a discussion is withdrawn, not deleted). This knows
nothing of which apps protect what: it asks the deletion collector, which raises
ProtectedError for whatever model holds a PROTECT foreign key.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.db import router
from django.db.models import Model, ProtectedError
from django.db.models.deletion import Collector
from django.http import HttpResponseRedirect
from django.urls import reverse


def protected_count(objs: list[Model]) -> int:
    """How many rows elsewhere forbid deleting `objs` (0: they may be deleted)."""
    if not objs:
        return 0
    collector = Collector(using=router.db_for_write(type(objs[0])))
    try:
        collector.collect(objs)
    except ProtectedError as error:
        return len(error.protected_objects)
    return 0


class ProtectedDeleteMixin:
    """For a ModelAdmin: a delete the database would refuse becomes a message naming the
    alternative (`instead`), on the single delete page and in the bulk action."""

    instead = "Change it instead."

    def _refuse(self, request, what: str, count: int) -> None:
        self.message_user(
            request,
            f"{what} cannot be deleted: {count} other record(s) depend on it and are kept. "
            f"{self.instead}",
            messages.ERROR,
        )

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        count = protected_count([obj]) if obj is not None else 0
        if not count:
            return super().delete_view(request, object_id, extra_context)
        self._refuse(request, f"“{obj}”", count)
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        return HttpResponseRedirect(url)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (type(self)._delete_unless_protected, name, description)
        return actions

    @admin.action(permissions=["delete"])
    def _delete_unless_protected(self, request, queryset):
        count = protected_count(list(queryset))
        if count:
            self._refuse(request, f"The {queryset.count()} selected item(s)", count)
            return None
        return delete_selected(self, request, queryset)
