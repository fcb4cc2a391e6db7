"""Image checks and renditions, shared by admin uploads and feed ingestion.

An image is accepted only if Pillow recognises it as a JPEG, PNG, WebP or GIF, it is within
the byte and pixel limits of the settings, and it decodes completely. The pixel limit is
checked from the header, before anything is decoded, so a decompression bomb never
reaches memory.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def check_image_bytes(data: bytes) -> tuple[str, int, int]:
    """Validate raw image bytes; return (format, width, height) or raise ValidationError."""
    max_bytes = settings.IMAGE_MAX_BYTES
    if len(data) > max_bytes:
        raise ValidationError(
            "The image is %(size)s MB; the limit is %(limit)s MB.",
            code="image_too_large",
            params={"size": round(len(data) / 1e6, 1), "limit": round(max_bytes / 1e6, 1)},
        )
    if not data:
        raise ValidationError("The file is empty.", code="image_empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt, (width, height) = img.format, img.size
                if fmt not in ALLOWED_FORMATS:
                    raise ValidationError(
                        "Only JPEG, PNG, WebP and GIF images are accepted (this is %(fmt)s).",
                        code="image_format",
                        params={"fmt": fmt or "unknown"},
                    )
                if width * height > settings.IMAGE_MAX_PIXELS:
                    raise ValidationError(
                        "The image is %(w)s x %(h)s pixels; the limit is %(limit)s megapixels.",
                        code="image_too_many_pixels",
                        params={
                            "w": width,
                            "h": height,
                            "limit": settings.IMAGE_MAX_PIXELS // 1_000_000,
                        },
                    )
                img.load()  # decodes everything: a truncated file fails here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "The image has too many pixels to be processed safely; the limit is "
            "%(limit)s megapixels.",
            code="image_too_many_pixels",
            params={"limit": settings.IMAGE_MAX_PIXELS // 1_000_000},
        ) from None
    except Exception:
        # Pillow raises UnidentifiedImageError, OSError ("truncated"), SyntaxError and
        # others for broken files; for the editor they all mean the same thing.
        raise ValidationError(
            "The file is not a valid image or is damaged (truncated). "
            "Upload a JPEG, PNG, WebP or GIF.",
            code="image_invalid",
        ) from None
    return fmt, width, height


def validate_image(field_file) -> None:
    """Model-field validator: reads the uploaded file and checks it."""
    f = getattr(field_file, "file", field_file)
    if f is None:
        return
    # An already stored image that is not being replaced needs no re-check.
    if getattr(field_file, "_committed", False) and not hasattr(f, "content_type"):
        return
    pos = f.tell() if hasattr(f, "tell") else 0
    f.seek(0)
    data = f.read(settings.IMAGE_MAX_BYTES + 1)
    f.seek(pos)
    check_image_bytes(data)


def make_renditions(name: str) -> dict:
    """Resize a stored image to the configured widths as WebP and JPEG.

    Returns {"webp": [[width, url], ...], "jpeg": [...], "width": w, "height": h}.
    Never upscales; the original's width is the last rendition when it is smaller than
    the largest configured width.
    """
    with default_storage.open(name, "rb") as fh:
        data = fh.read()
    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img)
        if img.mode not in ("RGB", "RGBA"):
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        width, height = img.size
        widths = [w for w in settings.IMAGE_RENDITION_WIDTHS if w < width] + [
            min(width, max(settings.IMAGE_RENDITION_WIDTHS))
        ]
        digest = hashlib.sha1(data).hexdigest()[:12]
        stem = PurePosixPath(name).stem[:40]
        out: dict = {"webp": [], "jpeg": [], "width": width, "height": height}
        for w in sorted(set(widths)):
            h = max(1, round(height * w / width))
            resized = img.resize((w, h), Image.Resampling.LANCZOS)
            for fmt, ext, key in (("WEBP", "webp", "webp"), ("JPEG", "jpg", "jpeg")):
                buf = io.BytesIO()
                frame = resized.convert("RGB") if fmt == "JPEG" else resized
                frame.save(buf, fmt, quality=80, optimize=True)
                path = f"renditions/{digest}/{stem}-{w}.{ext}"
                if not default_storage.exists(path):
                    default_storage.save(path, ContentFile(buf.getvalue()))
                out[key].append([w, default_storage.url(path)])
    return out
