"""Security headers, the content security policy, and HTTPS."""

from csp.constants import NONCE

from .core import HTTPS
from .env import env_bool, env_int
from .files import AWS_S3_ENDPOINT_URL, MEDIA_STORAGE

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

if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
