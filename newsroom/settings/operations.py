"""What operators and load balancers see: Retry-After, /healthz, /readyz and /metrics."""

from .env import env_float, env_int, env_list, env_str

# Seconds a client is asked to wait after a 503 (Retry-After).
RETRY_AFTER_SECONDS = env_int("RETRY_AFTER_SECONDS", 5)
# /healthz, /readyz and /metrics (serving/health.py, serving/metrics.py). /metrics answers
# the peer addresses listed here (the TCP peer, never X-Forwarded-For), or a request with
# `Authorization: Bearer METRICS_TOKEN` when a token is set; anyone else gets a 403.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# Seconds each readiness check (database, cache, task queue) may take before it fails.
READINESS_TIMEOUT = env_float("READINESS_TIMEOUT", 1.0)
# Tasks whose outcomes are counted under their own metric names (serving/metrics.py), as
# `newsroom_<name>_sent_total` / `newsroom_<name>_failed_total` (every failed task is also
# counted in `newsroom_task_failures_total{task=...}`).
METRICS_TASK_COUNTERS: dict[str, str] = {
    "jobs.mail.deliver_email": "mail",
    "following.delivery.deliver_briefings": "briefing_batches",
    "serving.tasks.purge": "purges",
}
# Where each gunicorn worker writes its request counts for /metrics to sum (prometheus-client's
# multiprocess mode). gunicorn.conf.py sets it for the workers of each server start; unset
# (runserver, one process), the counts stay in memory.
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR", "")
# Load balancers probe over plain HTTP: no redirect to HTTPS for the probes.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
