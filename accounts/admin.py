from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpResponseRedirect
from django.urls import reverse

from . import services
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "Profile",
            {
                "fields": (
                    "display_name",
                    "avatar",
                    "bio",
                    "notify_on_reply",
                    "notify_on_moderation",
                    "is_deleted",
                    "deleted_at",
                )
            },
        ),
    )
    readonly_fields = ("is_deleted", "deleted_at")
    list_display = ("username", "email", "display_name", "is_staff", "is_active", "date_joined")
    list_filter = BaseUserAdmin.list_filter + ("is_deleted",)
    search_fields = ("username", "email", "display_name")
    actions = ["erase_accounts"]

    # Django's delete would take the account's row away, and with it (or, now that
    # comments PROTECT their author, not at all) the reader's place in every discussion.
    # The one way is accounts.services.delete_account, through the action above.
    HOW_TO_DELETE = (
        "Accounts are not deleted here. In the user list, tick the account and choose "
        "the action “Delete selected accounts (erase personal data, keep comments)”."
    )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        self.message_user(request, self.HOW_TO_DELETE, messages.ERROR)
        user = self.get_object(request, unquote(object_id))
        if user is None:
            return HttpResponseRedirect(reverse("admin:accounts_user_changelist"))
        return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(
        permissions=["delete"],
        description="Delete selected accounts (erase personal data, keep comments)",
    )
    def erase_accounts(self, request, queryset):
        count = 0
        for user in queryset.filter(is_deleted=False).exclude(pk=request.user.pk):
            services.delete_account(user=user)
            count += 1
        self.message_user(request, f"{count} account(s) deleted.", messages.SUCCESS)
