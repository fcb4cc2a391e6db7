"""gunicorn settings; every value can be overridden from the environment."""

import multiprocessing
import os

_cpus = multiprocessing.cpu_count()

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * _cpus + 1, 12)))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
max_requests = 2000
max_requests_jitter = 200
