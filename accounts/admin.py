from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

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
