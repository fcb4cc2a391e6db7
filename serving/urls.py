"""The operators' addresses: liveness, readiness and metrics (docs/deployment.md), and
/favicon.ico, which browsers ask for on pages that name no icon (the admin's JSON, files)."""

from django.urls import path

from . import favicon, health, metrics

app_name = "serving"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("favicon.ico", favicon.favicon, name="favicon"),
]
