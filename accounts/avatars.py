"""Reader avatars: checked like every upload, then cut to a small square WebP.

The bytes are first checked by `articles.images.check_image_bytes` (format, bytes, pixels,
complete decode); only then are they decoded here. Re-encoding drops EXIF (camera, GPS)
and anything else hidden in the original file.
"""

from __future__ import annotations

import io
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from articles.images import check_image_bytes


def avatar_limit() -> int:
    """The byte limit for an avatar upload (smaller than for newsroom images)."""
    return min(settings.AVATAR_MAX_BYTES, settings.IMAGE_MAX_BYTES)


def human_size(n: int) -> str:
    """Bytes as readers say them: "4.2 MB", "300 KB"."""
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(n / 1000))} KB"


def read_avatar_upload(upload) -> bytes:
    """Read an uploaded file and check it; return its bytes or raise ValidationError."""
    limit = avatar_limit()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        # Refuse before reading a large file into memory.
        raise ValidationError(
            "The picture is %(size)s; the limit is %(limit)s. Choose a smaller one.",
            code="avatar_too_large",
            params={"size": human_size(size), "limit": human_size(limit)},
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            "The picture is larger than %(limit)s. Choose a smaller one.",
            code="avatar_too_large",
            params={"limit": human_size(limit)},
        )
    check_image_bytes(data)
    return data


def make_avatar(data: bytes) -> ContentFile:
    """Turn checked image bytes into a centred square WebP of AVATAR_SIZE pixels."""
    size = settings.AVATAR_SIZE
    with Image.open(io.BytesIO(data)) as img:
        img.seek(0)  # an animated GIF or WebP gives its first frame
        frame = ImageOps.exif_transpose(img)
        frame = frame.convert("RGBA" if _has_alpha(frame) else "RGB")
        square = ImageOps.fit(frame, (size, size), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        square.save(buf, "WEBP", quality=82, method=4)
    # A fresh random name per upload: caches never serve the old picture and the
    # file name says nothing about the reader.
    return ContentFile(buf.getvalue(), name=f"{secrets.token_hex(10)}.webp")


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
