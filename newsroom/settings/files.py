"""Static files, media (disk or S3), image limits and request body limits."""

from pathlib import Path

from .core import BASE_DIR, VAR_DIR
from .env import env_bool, env_int, env_prefixed, env_str

# Static files: hashed, compressed (brotli and gzip) and served by WhiteNoise.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "serving.static.StaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 31536000

# Media (uploads, renditions, avatars) on the app server's disk by default, or with
# MEDIA_STORAGE=s3 in an S3-compatible bucket every app server shares (docs/deployment.md).
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "disk")


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


AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL", "")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = s3_media_storage(env_prefixed("AWS_"))

# Image uploads (admin and feed ingestion share these limits).
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
IMAGE_RENDITION_WIDTHS = (320, 640, 1280)

# Request limits (a 400 for too many fields; the body limit is enforced per request).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 20)
# Whole request bodies above this get a 413 (serving.middleware.RequestSizeLimitMiddleware):
# the largest image plus room for the form around it.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", IMAGE_MAX_BYTES + 1024 * 1024)

SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
