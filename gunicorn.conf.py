"""gunicorn settings: `gunicorn -c gunicorn.conf.py newsroom.wsgi` (see docs/deployment.md).

Workers and threads follow the CPU count; every value can be overridden from the
environment (WEB_CONCURRENCY, GUNICORN_THREADS, PORT or GUNICORN_BIND, GUNICORN_TIMEOUT).
"""

import gc
import multiprocessing
import os
import shutil
import tempfile


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


_cpus = multiprocessing.cpu_count()

wsgi_app = "newsroom.wsgi:application"

# Loopback by default, for a reverse proxy on the same machine; HOST=0.0.0.0 to listen on
# every interface; GUNICORN_BIND or BIND (comma separated, e.g. unix sockets) wins over both.
# (`make run` passes --bind, which wins over this file.)
_bind = os.environ.get("GUNICORN_BIND") or os.environ.get("BIND")
if _bind:
    bind = _bind.split(",")
else:
    bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"]

# The classic 2 x CPU + 1, capped so a big machine does not open hundreds of database
# connections (each worker thread holds one persistent connection).
workers = _int("WEB_CONCURRENCY", min(2 * _cpus + 1, 12))
# Sync workers, one request at a time: rendering is CPU-bound and the waits on PostgreSQL
# and Redis take well under a millisecond, so threads only fight over the GIL (on 2 cores,
# 5 x 4 threads gave the signed-in article 270 req/s with p99 288 ms, 5 x 1 gave 323 req/s
# with p99 125 ms). And only an idle sync worker accepts a connection, so the load spreads
# over the workers by itself. gthread kept keep-alive connections on the worker that
# accepted them, whichever that was: the benchmark's 16 connections (or a proxy's upstream
# pool) sometimes all sat on one worker, which then used one core while four idled, and
# that row ran at 55% (docs/benchmarks.md). The proxy in front (nginx, Varnish) keeps the
# clients' connections alive; the new connection per request between it and gunicorn did
# not show in the benchmark's cache-hit rows. GUNICORN_THREADS above 1 switches to gthread
# (gunicorn's own rule).
worker_class = "sync"
threads = _int("GUNICORN_THREADS", 1)

# Each worker's heartbeat touches a file in this directory on every loop; on a disk-backed
# /tmp that call can block for a second while PostgreSQL flushes a checkpoint (seen in the
# benchmark as rare 1 s stalls on cache hits). Memory-backed /dev/shm never blocks.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Above the database's statement timeout (DB_STATEMENT_TIMEOUT, 15 s) and SQLite's busy
# timeout (20 s): a request stuck behind a lock gets the site's 503 from the app, and the
# worker lives on (a killed worker takes its request down with a bare error).
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Keep-alive seconds, for gthread only: a sync worker closes each connection.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# No periodic worker recycling by default: under gthread a recycled worker dropped its
# keep-alive connections, which the benchmark saw as client errors under load. Set
# GUNICORN_MAX_REQUESTS (e.g. 50000) to cap a slow leak if one ever appears.
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)

# Load the app once in the master: faster starts, shared memory pages; connections are
# opened lazily in each worker, so nothing network-bound is shared across the fork.
preload_app = True


# Metrics from every worker add up (serving/metrics.py): prometheus-client's multiprocess
# mode, where each worker writes its counts to files in this directory (in memory when
# /dev/shm exists) and a scrape sums them. gunicorn sets the variable before it loads the
# app; the directory is this server's own (or PROMETHEUS_MULTIPROC_DIR), emptied at start.
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.path.join(
    globals().get("worker_tmp_dir") or tempfile.gettempdir(), f"newsroom-metrics-{os.getpid()}"
)
raw_env = [f"PROMETHEUS_MULTIPROC_DIR={_metrics_dir}"]


def on_starting(server):
    """Before the first worker: an empty metrics directory (counts of an earlier run
    would otherwise add up with this one's)."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker):
    """A worker's counts stay (they still count); only its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)


def when_ready(server):
    """After the preload, before the workers fork: move the ~100,000 objects of the loaded
    app out of the garbage collector's sight. A full collection then scans only what
    requests create (a full pass over the whole app took about 20 ms per worker), and
    frozen pages are never written by the collector, so they stay shared between
    workers. Young collections stay small (2,000 objects, the default 700 a little
    raised): with 20,000 each young collection paused its worker 10-18 ms and each
    middle one up to 38 ms, which requests queued behind it waited out (the Following
    page's p99); at 2,000 they pause under 2 and 5 ms and cost less in all (393 + 64 ms
    against 724 + 38 over 12,000 requests, docs/benchmarks.md).

    And no database connection crosses the fork: if loading the app opened one, it is
    closed here, so each worker opens its own (connections are kept between requests,
    CONN_MAX_AGE, and a SQLite or PostgreSQL connection shared by two processes is
    corrupted by both)."""
    from django.db import connections

    connections.close_all()
    gc.freeze()
    gc.set_threshold(2_000, 10, 10)


# Access log to stdout ("-"); GUNICORN_ACCESSLOG=off turns it off (the benchmark does).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
if accesslog.lower() in {"", "off", "none"}:
    accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# The peer, then what the proxies say the client is (the app reads the same header with
# TRUSTED_PROXY_COUNT, serving/client.py).
access_log_format = '%(h)s [%({x-forwarded-for}i)s] "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# The proxies whose X-Forwarded-For counts (comma separated addresses, or "*"): the same
# list the app uses (FORWARDED_ALLOW_IPS in newsroom/settings/core.py, serving/client.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn itself takes nothing from a forwarder (docs/security.md, "The proxy chain"):
# - no SCRIPT_NAME or PATH_INFO headers onto the WSGI environment (its default honours
#   both from those addresses: one `SCRIPT_NAME: /articles/x` request made every link on
#   a page cached for everyone wrong);
# - no scheme from X-Forwarded-Proto: wsgi.url_scheme stays the connection's, and Django
#   alone reads the header, only when HTTPS is on (SECURE_PROXY_SSL_HEADER) and only as
#   the proxy set it (the VCL drops the client's). Otherwise a client's
#   `X-Forwarded-Proto: https` put https:// links in pages served to plain HTTP;
# - any other header with "_" in its name is dropped, never merged with its "-" twin.
forwarder_headers = ""
secure_scheme_headers: dict[str, str] = {}
header_map = "drop"

# The longest request line (method, target, version) gunicorn passes to the app: beyond
# it gunicorn answers its own HTML 400 before any of our code runs. 8190 is the most
# gunicorn allows (its default is 4094, which a long `fields=` or search could pass);
# the app then answers anything up to it, problem+json under /api/ (api/boundary.py).
# Varnish in front refuses request lines over its http_req_hdr_len (8 KiB) the same way.
limit_request_line = _int("GUNICORN_LIMIT_REQUEST_LINE", 8190)
