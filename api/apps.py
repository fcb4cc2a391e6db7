from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The versioned JSON API for apps: /api/v1/ (docs/api.md)."""

    name = "api"
    verbose_name = "API"
