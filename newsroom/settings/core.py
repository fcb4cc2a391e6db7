"""Core Django wiring: debug, keys, hosts, the site's address, apps, middleware, templates,
authentication, time zone, logging."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_NAME = env_str("SITE_NAME", "Newsroom")
# Absolute links (mails, feeds, share links, the admin's "View on site"). Unset, it follows
# the HOST and PORT the server listens on, so links work on any port.
_host = env_str("HOST", "127.0.0.1")
SITE_URL = (
    env_str("SITE_URL")
    or f"http://{'127.0.0.1' if _host in ('', '0.0.0.0', '::') else _host}:{env_int('PORT', 8000)}"
).rstrip("/")
# The client address (serving/client.py): how many reverse proxies in front append to
# X-Forwarded-For (0: none, the peer is the client), and which peers may send the header
# at all (the same variable gunicorn reads for X-Forwarded-Proto; "*" for any).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
FORWARDED_ALLOW_IPS = env_list("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# django.contrib.postgres joins on PostgreSQL only (database.py).
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
    "following",
]

MIDDLEWARE = [
    # First: counts every response, page-cache hits and errors included (issue 27).
    "serving.metrics.RequestMetricsMiddleware",
    # /api/ and /_allauth/: every error as JSON (the size limit's 413 too), text that is
    # not Unicode refused, allauth's crashes a 400, allauth's writes in one transaction.
    "api.boundary.BoundaryMiddleware",
    "serving.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "serving.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, with a response that has its ETag passed straight back to a request that
    # asks nothing conditional (serving/middleware.py).
    "serving.middleware.ConditionalGetMiddleware",
    "serving.middleware.CSPMiddleware",  # django-csp's, with the plain policy built once
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # /api/ only: per-token and per-IP limits (cache hits included), Cache-Control, and
    # problem+json bodies for errors raised outside the API's own views.
    "api.middleware.ApiMiddleware",
    # Anonymous cache hits end here: everything above still adds its headers.
    "serving.cache.PageCacheMiddleware",
    # Fills the slots (a card's comment count) of the pages the page cache did not store.
    "serving.slots.SlotMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user read in the session's own query (accounts/sessions.py).
    "accounts.sessions.AuthenticationMiddleware",
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

# Tests only: tests/conftest.py sets FAST_PASSWORD_HASHER=1 for the test process and every
# server or worker a test starts, so a password hashed in one verifies in the others at a
# fraction of PBKDF2's cost. `check --deploy` warns when it is on with DEBUG off.
if env_bool("FAST_PASSWORD_HASHER", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

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
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# HTTPS settings: on by default whenever DEBUG is off (turn off only behind a proxy that
# does its own redirect, with SECURE_SSL_REDIRECT=0).
HTTPS = env_bool("HTTPS", not DEBUG)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# Dates Django formats by itself name their time zone (newsroom/formats/en/formats.py).
FORMAT_MODULE_PATH = ["newsroom.formats"]
