from django.urls import path
from django.views.generic import RedirectView

import serving.converters  # noqa: F401  (registers <id:...>)

from . import openapi, views

app_name = "accounts"

urlpatterns = [
    path("readers/<id:pk>/", views.profile, name="profile"),
    path(
        "accounts/",
        RedirectView.as_view(pattern_name="accounts:profile_edit"),
        name="settings",
    ),
    path("accounts/profile/", views.profile_edit, name="profile_edit"),
    path("accounts/delete/", views.account_delete, name="delete"),
    path("accounts/export/", views.data_export, name="export"),
    path(
        "accounts/resend-confirmation/",
        views.resend_confirmation,
        name="resend_confirmation",
    ),
    path("accounts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]

# Mounted at /_allauth/ ahead of allauth's own (newsroom/urls.py): its OpenAPI document,
# built once rather than per request (accounts/openapi.py).
headless_specification = [
    path("openapi.yaml", openapi.OpenAPIYAMLView.as_view()),
    path("openapi.json", openapi.OpenAPIJSONView.as_view()),
]
