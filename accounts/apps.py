from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib import admin

        from .forms import StaffLoginForm

        # Staff logins get the readers' rate limits (docs/security.md).
        admin.site.login_form = StaffLoginForm
