"""The operators' addresses: liveness, readiness and metrics (docs/deployment.md)."""

from django.urls import path

from . import health, metrics

app_name = "serving"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
]
