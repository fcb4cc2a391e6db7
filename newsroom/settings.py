"""Newsroom settings: one module, driven by environment variables.

Every value has a safe development default, so `make run` needs no configuration.
Production sets at least SECRET_KEY, DEBUG=0, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL
(see the README's "Configuration" section).
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.functional import lazy
from django_prose_editor.config import html_tags

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float | None = None) -> float | None:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_NAME = os.environ.get("SITE_NAME", "Newsroom")
# Absolute links (mails, feeds, share links, the admin's "View on site"). Unset, it follows
# the HOST and PORT the server listens on, so links work on any port.
_host = os.environ.get("HOST", "127.0.0.1")
SITE_URL = (
    os.environ.get("SITE_URL")
    or f"http://{'127.0.0.1' if _host in ('', '0.0.0.0', '::') else _host}:{env_int('PORT', 8000)}"
).rstrip("/")
# The client address (serving/client.py): how many reverse proxies in front append to
# X-Forwarded-For (0: none, the peer is the client), and which peers may send the header
# at all (the same variable gunicorn reads for X-Forwarded-Proto; "*" for any).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
FORWARDED_ALLOW_IPS = env_list("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.forms",  # the widget templates, for FORM_RENDERER
    "allauth",
    "allauth.account",
    "allauth.headless",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "serving",
    "django_prose_editor",
    "accounts",
    "articles",
    "ingest",
    "syndication",
    "search",
    "comments",
    "demo",
    "api",
    "jobs",
    "stories",
]

MIDDLEWARE = [
    "serving.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "serving.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "serving.middleware.CSPMiddleware",  # django-csp's, with the plain policy built once
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # /api/ only: per-token and per-IP limits (cache hits included), Cache-Control, and
    # problem+json bodies for errors raised outside the API's own views.
    "api.middleware.ApiMiddleware",
    # Anonymous cache hits end here: everything above still adds its headers.
    "serving.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "serving.middleware.DatabaseUnavailableMiddleware",
    "serving.middleware.HostileInputMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
# Every form field is drawn by one template, includes/field.html (serving/forms.py).
FORM_RENDERER = "serving.forms.SiteFormRenderer"
WSGI_APPLICATION = "newsroom.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        # APP_DIRS stays on so allauth and the admin find their templates; Django uses the
        # cached loader by itself whenever DEBUG is off.
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "serving.context_processors.site",
                "articles.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite file under var/ by default; DATABASE_URL points elsewhere (PostgreSQL in
# production). Persistent connections on PostgreSQL save a connect per request.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'newsroom.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast (a 503) rather than hang when PostgreSQL is unreachable.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DB_CONNECT_TIMEOUT", 3
    )
    # Parameters bound on the server, so psycopg prepares a query once one connection
    # has run it five times: the session and user lookups and the reader's facts on every
    # signed-in page were planned anew each time (0.3 ms of planning for the facts query
    # alone). Off (DB_PREPARED_STATEMENTS=0) behind a pooler in transaction mode that
    # cannot keep prepared statements (PgBouncer before 1.21).
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_newsroom")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Web, task workers and the scheduler share the file: a writer takes the lock when its
    # transaction begins (no "database is locked" on a read lock's upgrade) and others
    # wait for it rather than fail. WAL lets readers go on while one process writes, and
    # with synchronous=NORMAL a commit no longer waits for the disk (an fsync took 35-50 ms
    # here; a power cut may lose the last commits, never the file).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Cache: Redis shared by every app server when REDIS_URL is set, else local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # RedisCache that answers "miss" instead of raising while Redis is down.
            "BACKEND": "serving.cache_backend.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rate-limit counters (allauth's, the comment flood rule, the API's): while Redis is
# unreachable these keys live in each process's memory, so the limits hold per process
# instead of refusing everyone (serving/cache_backend.py).
CACHE_LOCAL_FALLBACK_PREFIXES = ("allauth:rl:", "comments:flood:", "api:rate:")
# Fragments and lookups keyed by the content version (serving/cache.py): never changed
# once written, so each process keeps copies in memory in front of the shared cache.
CACHES["fragments"] = {
    "BACKEND": "serving.cache_backend.LocalFirstCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": env_int("FRAGMENT_LOCAL_ENTRIES", 1000)},
}

# Sessions in the database only. cached_db would save a query per signed-in request, but
# its copy in the cache outlives a logout whenever the cache fails to delete it (Redis
# briefly down, or per-process memory without Redis), so a signed-out cookie could still
# work: not a trade to make for a third of a millisecond.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Whole-page cache for anonymous readers (serving/cache.py). Pages are invalidated at once
# by the versions of their dependency tags (serving/tags.py); the timeout only bounds
# memory. Local memory is per process, so without Redis a page is kept one second at most
# (several gunicorn workers would otherwise disagree for longer).
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_TIMEOUT = env_int("PAGE_CACHE_TIMEOUT", 600 if REDIS_URL else 1)
# Each process also keeps its recent pages and the tag versions it read in memory, and
# re-reads the shared versions at most this often (seconds), so a hit needs no Redis round
# trip; 0 turns that off.
PAGE_CACHE_LOCAL_SECONDS = float(
    os.environ.get("PAGE_CACHE_LOCAL_SECONDS", "0.5" if REDIS_URL else "0")
)
PAGE_CACHE_LOCAL_ENTRIES = env_int("PAGE_CACHE_LOCAL_ENTRIES", 500)
# A stale page is still served for up to this many seconds while one request renders it.
PAGE_CACHE_GRACE_SECONDS = float(os.environ.get("PAGE_CACHE_GRACE_SECONDS", "5"))
# A page whose tags changed while it rendered may hold the state from before the change:
# it is kept only this long (and shared caches are told so). The margin: how far the
# clocks of two app servers may differ.
PAGE_CACHE_SETTLE_SECONDS = float(os.environ.get("PAGE_CACHE_SETTLE_SECONDS", "1"))
PAGE_CACHE_CLOCK_MARGIN = float(os.environ.get("PAGE_CACHE_CLOCK_MARGIN", "0.05"))
# Cache-Control of cacheable anonymous pages: browsers keep them PAGE_CACHE_MAX_AGE
# seconds, shared caches (Varnish, a CDN), which are purged on writes, PAGE_CACHE_S_MAXAGE.
# 0 by default: a browser revalidates every page with its ETag (a 304 from Varnish or the
# page cache), so a visitor who comes back never sees a comment count older than a write.
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 0)
PAGE_CACHE_S_MAXAGE = env_int("PAGE_CACHE_S_MAXAGE", PAGE_CACHE_TIMEOUT)
# HTTP caches to purge by tag after a write commits (serving/purge.py): comma-separated
# URLs that accept `PURGE` with an `xkey` header, e.g. http://127.0.0.1:6081/ for the
# Varnish in deploy/varnish/. Empty: no purging.
PURGE_URLS = env_list("PURGE_URLS", "")
PURGE_TIMEOUT = float(os.environ.get("PURGE_TIMEOUT", "2"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Static files: hashed, compressed (brotli and gzip) and served by WhiteNoise.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "serving.static.StaticFilesStorage"
            if not env_bool("TESTING_PLAIN_STATIC", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000

# Media (uploads, renditions, avatars) on the app server's disk by default, or with
# MEDIA_STORAGE=s3 in an S3-compatible bucket every app server shares (docs/deployment.md).
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "disk")


def s3_media_storage(environ) -> dict:
    """The STORAGES["default"] entry for media in an S3-compatible bucket."""
    from botocore.config import Config

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": environ.get("AWS_ACCESS_KEY_ID"),
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY"),
            # Public URLs (a public-read bucket, or a CDN in AWS_S3_CUSTOM_DOMAIN), so pages
            # cached for every reader never carry expiring signatures.
            "custom_domain": environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": environ.get("AWS_QUERYSTRING_AUTH", "0") in {"1", "true", "on"},
            "file_overwrite": False,
            "client_config": Config(
                s3={"addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE", "path")},
                signature_version="s3v4",
                # boto3 >= 1.36 adds CRC checksums that MinIO, Ceph, Garage and older
                # S3-compatible servers refuse: send and check them only when required.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }


AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL", "")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = s3_media_storage(os.environ)

# Image uploads (admin and feed ingestion share these limits).
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
IMAGE_RENDITION_WIDTHS = (320, 640, 1280)

# Feed ingestion (docs/ingestion.md). Feeds and lead images are fetched with these limits;
# addresses on private, loopback and link-local networks are refused unless allowed.
FEED_MAX_BYTES = env_int("FEED_MAX_BYTES", 5 * 1024 * 1024)
FEED_TIMEOUT = float(os.environ.get("FEED_TIMEOUT", "10"))  # per connect or read
# Wall clock for one whole fetch (connect, redirects, headers, body; unset: 3 x
# FEED_TIMEOUT), and for everything one source's import may spend fetching, the feed and
# its images (unset: 6 x FEED_TIMEOUT).
FEED_DEADLINE = env_float("FEED_DEADLINE")
FEED_SOURCE_BUDGET = env_float("FEED_SOURCE_BUDGET")
# An entry whose cleaning takes longer than this is left out (with a note on the source).
FEED_ENTRY_BUDGET = float(os.environ.get("FEED_ENTRY_BUDGET", "2"))
FEED_MAX_REDIRECTS = 5
FEED_ALLOW_PRIVATE_HOSTS = env_bool("FEED_ALLOW_PRIVATE_HOSTS", False)
# Each feed is polled on its own schedule (ingest/scheduling.py): about as often as it
# publishes, never more often than FEED_MIN_INTERVAL or less than FEED_MAX_INTERVAL
# (seconds), later when the server asks (Cache-Control max-age, Retry-After) or fails.
FEED_MIN_INTERVAL = env_int("FEED_MIN_INTERVAL", 5 * 60)
FEED_MAX_INTERVAL = env_int("FEED_MAX_INTERVAL", 24 * 3600)
# Polls one tick enqueues at most; the rest wait for the next tick. 100 keeps a tick that
# finds every feed due under 50 ms (docs/ingestion.md), as Miniflux's BATCH_SIZE (100): a
# fresh install with 1,000 feeds has them all queued after 10 ticks (50 s).
FEED_POLLS_PER_TICK = env_int("FEED_POLLS_PER_TICK", 100)
# The demo feed the site serves itself (demo/views.py), on for `make run` and `make dev`:
# its exact address is the one private address a feed may use while
# FEED_ALLOW_PRIVATE_HOSTS is off.
DEMO_FEED = env_bool("DEMO_FEED", False)
DEMO_FEED_URL = f"{SITE_URL}/demo/feed.xml"
FEED_PRIVATE_URL_EXCEPTIONS: list[str] = [DEMO_FEED_URL] if DEMO_FEED else []

# Request limits (a 400 for too many fields; the body limit is enforced per request).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 20)
# Whole request bodies above this get a 413 (serving.middleware.RequestSizeLimitMiddleware):
# the largest image plus room for the form around it.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", IMAGE_MAX_BYTES + 1024 * 1024)

LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

# django-allauth: email is the login; readers confirm their address before commenting.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "5/h/ip,3/h/key",
    # accounts:resend_confirmation, on top of allauth's one mail per address per 3 minutes.
    "resend_confirmation": "10/h/ip",
}
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Reader accounts (docs/accounts.md): display name at sign-up, one email per reader,
# names (never emails or usernames) in messages and mails.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.ReaderSignupForm"}
# The display name, on the web form and the app (headless) sign-up alike.
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.signup.DisplayNameSignup"
ACCOUNT_USER_DISPLAY = "accounts.adapter.user_display"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# django-allauth headless (docs/api.md): apps sign up, confirm, sign in and out and reset
# passwords at /_allauth/app/v1/ with an X-Session-Token; the web pages stay as they are.
# No HEADLESS_FRONTEND_URLS: links in mails open the site's own confirmation and reset
# pages, which work for every reader (an app can also post the key from the link).
HEADLESS_ONLY = False
HEADLESS_CLIENTS = ("app",)
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 5_000_000)
AVATAR_SIZE = 256
# Dotted paths of callables (request, profile_user) -> dict adding to the public profile
# page's context (the comments app lists the reader's comments this way).
ACCOUNTS_PROFILE_SECTIONS: list[str] = ["comments.sections.profile_section"]
# What other apps add to article cards, one query each for a whole list (articles/selectors.py).
ARTICLE_CARD_HOOKS: list[str] = ["comments.selectors.attach_comment_counts"]
# What other apps print under an article: callables (context, article) -> HTML.
ARTICLE_PAGE_SECTIONS: list[str] = ["comments.sections.article_section"]
# The page cache asks the content app when something next changes by itself (a scheduled
# article goes live, a promo starts or ends): a function returning a datetime or None.
PAGE_CACHE_NEXT_CHANGE = "articles.selectors.next_scheduled_change"

# Email: every message is queued as a task (jobs/mail.py) and the worker sends it through
# EMAIL_DELIVERY_BACKEND: the console in development, SMTP configured by the environment in
# production. EMAIL_QUEUE=0 sends in the request instead.
EMAIL_DELIVERY_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_BACKEND = (
    "jobs.mail.QueuedEmailBackend" if env_bool("EMAIL_QUEUE", True) else EMAIL_DELIVERY_BACKEND
)
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: one file per message.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A slow mail server must not hold a sign-up request (and a worker) for minutes.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Newsroom <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks (docs/tasks.md): Django's task API (the django-tasks backport) on the
# database backend; `manage.py db_worker` runs them, `manage.py run_scheduler` enqueues
# periodic and due work. Failed tasks are retried with a doubling delay (jobs/retry.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 5)
TASKS_MAX_ATTEMPTS_BY_TASK: dict[str, int] = {}
TASKS_RETRY_DELAY = float(os.environ.get("TASKS_RETRY_DELAY", "30"))
TASKS_RETRY_MAX_DELAY = float(os.environ.get("TASKS_RETRY_MAX_DELAY", "3600"))
# A task RUNNING this long (seconds) lost its worker: jobs/recovery.py requeues or fails it.
# Well above the longest task's own deadline (a feed poll: FEED_SOURCE_BUDGET, 60 s).
TASKS_RUNNING_TIMEOUT = float(os.environ.get("TASKS_RUNNING_TIMEOUT", str(15 * 60)))
TASKS_RUNNING_TIMEOUT_BY_TASK: dict[str, float] = {}
# Dotted path of a task (enqueued when due) or of a function `fn(since=, now=)` that
# enqueues due work, and its interval in seconds (0: every tick).
SCHEDULER_JOBS: dict[str, float] = {
    "ingest.scheduling.enqueue_due_polls": 0,
    "articles.scheduling.refresh_pages_gone_live": 0,
    "comments.tasks.scrub_comment_ips": 24 * 3600,
    "jobs.tasks.prune_task_results": 24 * 3600,
    "jobs.recovery.requeue_lost_tasks": 60,
}
# Feed polls record their own failures and back off (ingest/scheduling.py): no retries.
TASKS_MAX_ATTEMPTS_BY_TASK["ingest.tasks.poll_feed"] = 1
# A cache that is down for a restart gets its purges once back: about 2 h of retries.
TASKS_MAX_ATTEMPTS_BY_TASK["serving.tasks.purge"] = 8
SCHEDULER_TICK_SECONDS = float(os.environ.get("SCHEDULER_TICK_SECONDS", "5"))

# Security headers. django-csp 4: no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # The nonce is sent only on pages that use it: the article editor's import map.
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        # https: lets pictures inside republished bodies load from their source (nh3 keeps
        # only http(s) image URLs); scripts, styles and frames stay same-origin only.
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if MEDIA_STORAGE == "s3" and AWS_S3_ENDPOINT_URL:
    # A plain-http S3 server (MinIO on the private network) is not covered by "https:".
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(AWS_S3_ENDPOINT_URL.rstrip("/"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# HTTPS settings: on by default whenever DEBUG is off (turn off only behind a proxy that
# does its own redirect, with SECURE_SSL_REDIRECT=0).
HTTPS = env_bool("HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)

# Comments (see docs/comments.md). Limits are settings so a busy site can tune them.
COMMENTS_MIN_LENGTH = env_int("COMMENTS_MIN_LENGTH", 2)
COMMENTS_MAX_LENGTH = env_int("COMMENTS_MAX_LENGTH", 3000)
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 50)
COMMENTS_PREMODERATE = env_bool("COMMENTS_PREMODERATE", True)
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 0)  # 0: never close by age
COMMENTS_FLOOD_SECONDS = env_int("COMMENTS_FLOOD_SECONDS", 15)
COMMENTS_DUPLICATE_HOURS = env_int("COMMENTS_DUPLICATE_HOURS", 24)
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", 2)  # this many links or more: held
COMMENTS_TRUSTED_AFTER = env_int("COMMENTS_TRUSTED_AFTER", 2)  # approved comments needed
COMMENTS_HISTORY_DAYS = env_int("COMMENTS_HISTORY_DAYS", 30)  # rejections this recent count
COMMENTS_EDIT_MINUTES = env_int("COMMENTS_EDIT_MINUTES", 15)
COMMENTS_REPORT_THRESHOLD = env_int("COMMENTS_REPORT_THRESHOLD", 3)
COMMENTS_IP_RETENTION_DAYS = env_int("COMMENTS_IP_RETENTION_DAYS", 30)
COMMENTS_BLOCKED_WORDS = env_list("COMMENTS_BLOCKED_WORDS", "")
COMMENTS_WATCHED_WORDS = env_list("COMMENTS_WATCHED_WORDS", "")

# JSON API (docs/api.md). Limits are "requests/seconds" per client: anonymous readers by
# address, apps by session token (every request also counts against its address, at the
# higher token limit, so made-up tokens buy nothing).
API_RATE_ANON = os.environ.get("API_RATE_ANON", "120/60")
API_RATE_TOKEN = os.environ.get("API_RATE_TOKEN", "600/60")
API_PAGE_SIZE_MAX = env_int("API_PAGE_SIZE_MAX", 50)
# Stories (stories/, docs/stories.md): grouping the same event across sources.
STORY_WINDOW_HOURS = env_int("STORY_WINDOW_HOURS", 72)  # candidates published this close
STORY_MINHASH_THRESHOLD = float(os.environ.get("STORY_MINHASH_THRESHOLD", "0.5"))  # near-dup
STORY_TFIDF_THRESHOLD = float(os.environ.get("STORY_TFIDF_THRESHOLD", "0.13"))  # same hour
STORY_TFIDF_THRESHOLD_LATE = float(os.environ.get("STORY_TFIDF_THRESHOLD_LATE", "0.3"))
STORY_TFIDF_RAMP_HOURS = env_int("STORY_TFIDF_RAMP_HOURS", 24)  # hours apart to reach LATE
STORY_MIN_SHARED_KEYS = env_int("STORY_MIN_SHARED_KEYS", 1)  # LSH keys a candidate shares
STORY_MAX_CANDIDATES = env_int("STORY_MAX_CANDIDATES", 40)  # compared in full per article
STORY_RELATED_DAYS = env_int("STORY_RELATED_DAYS", 30)  # how far back related articles reach
# The article page's Related Articles ranker (articles/selectors.py); empty: topics+recency.
ARTICLE_RELATED_HOOK = "stories.related.related_articles"

# The footer's app badges (Promo "Footer: download the app"); empty: that badge is hidden.
APP_STORE_URL = os.environ.get("APP_STORE_URL", "")
PLAY_STORE_URL = os.environ.get("PLAY_STORE_URL", "")


# The rich text editor (django-prose-editor, articles/admin_forms.py). Our one extension,
# the embed block, is a module of our own; its nh3 rules are articles/sanitize.py's.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [lazy(static, str)("js/editor-embed.js")],
        "extensions": {"Embed": html_tags(["div", "a"], {"a": ["href"]})},
    }
]
REQUIRE_REVIEW = env_bool("REQUIRE_REVIEW", False)
# How many pinned articles a topic page shows above its newest ones.
TOPIC_PIN_LIMIT = env_int("TOPIC_PIN_LIMIT", 3)
# Dates Django formats by itself name their time zone (newsroom/formats/en/formats.py).
FORMAT_MODULE_PATH = ["newsroom.formats"]

# --- Full text of summary-only feeds (issue 30) ---
# Source.fetch_full_text: the worker fetches each new entry's page (ingest/fulltext.py)
# with the feeds' SSRF guards, timeouts and redirect limit, and these.
FULLTEXT_MAX_BYTES = env_int("FULLTEXT_MAX_BYTES", 2 * 1024 * 1024)  # largest page read
# Seconds between the end of one request to a host and the start of the next, shared by
# every worker (ingest/hosts.py); one request at a time per host.
FULLTEXT_DELAY = env_float("FULLTEXT_DELAY", 1.0)
FULLTEXT_MIN_WORDS = env_int("FULLTEXT_MIN_WORDS", 60)  # fewer: the summary is kept
FULLTEXT_ROBOTS_TTL = env_int("FULLTEXT_ROBOTS_TTL", 24 * 3600)  # robots.txt kept per host
# Wall clock for one full-text task; articles not reached go to a follow-up task.
FULLTEXT_TASK_BUDGET = env_float("FULLTEXT_TASK_BUDGET", 300.0)
# The demo's summary-only newspaper (demo/fulltext.py, on with DEMO_FEED): its feed, its
# article pages and the site's robots.txt are the only other private addresses allowed.
DEMO_GAZETTE_URL = f"{SITE_URL}/demo/gazette.xml"
if DEMO_FEED:
    from demo.fulltext import GAZETTE_ARTICLES  # plain data, no models

    FEED_PRIVATE_URL_EXCEPTIONS += [
        DEMO_GAZETTE_URL,
        f"{SITE_URL}/robots.txt",
        *(f"{SITE_URL}/demo/gazette/{article[0]}/" for article in GAZETTE_ARTICLES),
    ]
