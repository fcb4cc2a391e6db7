"""Reader accounts (django-allauth, headless) and outgoing mail."""

from .core import DEBUG, HTTPS, VAR_DIR
from .env import env_bool, env_int, env_str

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
# Links in mails use the scheme the site is served on: HTTPS, not DEBUG (`make run` is
# DEBUG off over plain HTTP on loopback); their host is SITE_URL's (accounts/adapter.py).
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
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
# allauth headless serves its OpenAPI document at /_allauth/openapi.json (and .yaml, .html).
HEADLESS_SERVE_SPECIFICATION = env_bool("HEADLESS_SERVE_SPECIFICATION", True)
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 5_000_000)
AVATAR_SIZE = 256

# Email: every message is queued as a task (jobs/mail.py) and the worker sends it through
# EMAIL_DELIVERY_BACKEND: the console in development, SMTP configured by the environment in
# production. EMAIL_QUEUE=0 sends in the request instead.
EMAIL_DELIVERY_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_BACKEND = (
    "jobs.mail.QueuedEmailBackend" if env_bool("EMAIL_QUEUE", True) else EMAIL_DELIVERY_BACKEND
)
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: one file per message.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A slow mail server must not hold a sign-up request (and a worker) for minutes.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Newsroom <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Following and briefings (docs/accounts.md). The mailbox of List-Unsubscribe's mailto
# (empty: DEFAULT_FROM_EMAIL's address); readers due at once per worker transaction; how
# many tasks the scheduler starts when briefings are due (one per worker is right).
FOLLOWING_UNSUBSCRIBE_EMAIL = env_str("FOLLOWING_UNSUBSCRIBE_EMAIL", "")
BRIEFING_BATCH_SIZE = env_int("BRIEFING_BATCH_SIZE", 50)
BRIEFING_TASKS = env_int("BRIEFING_TASKS", 2)
# The most things one reader may follow: their Following page and briefing read them all.
FOLLOWS_MAX = env_int("FOLLOWS_MAX", 500)
