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
from PIL import Image, ImageOps, features

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


EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# What an encoder may copy from the decoded image: the colour profile and which palette
# entry is transparent. Pillow carries everything else it read (a JPEG or GIF comment,
# XMP, PNG text chunks, EXIF) in `info` and writes some of it back when saving.
KEPT_INFO = frozenset({"icc_profile", "transparency"})


def bare(img: Image.Image) -> Image.Image:
    """`img` with no metadata but colour: what it says in comments and text is not
    ours to publish (a `<script>` or `<?php` in a JPEG comment would be stored as is)."""
    img.info = {k: v for k, v in img.info.items() if k in KEPT_INFO}
    return img


def reencode(data: bytes, name: str) -> ContentFile:
    """A fresh encoding of an uploaded image, named by what it really is.

    Only the decoded pixels (and the colour profile) are written back: whatever else the
    file carried (an HTML page behind a GIF header, EXIF with the photographer's
    position, a comment segment, XMP or PNG text, a second format after the first) is
    gone, and a GIF uploaded as "report.pdf" is stored as
    "report.gif", so the web server never serves it as something else.
    """
    fmt, _w, _h = check_image_bytes(data)
    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img)
        if fmt == "JPEG" and img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        buf = io.BytesIO()
        options = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
        bare(img).save(buf, fmt, **options)
    stem = PurePosixPath(name).stem[:80] or "image"
    return ContentFile(buf.getvalue(), name=f"{stem}.{EXTENSIONS[fmt]}")


def reencode_upload(field_file) -> None:
    """Replace a just-uploaded file of an ImageField by its clean re-encoding (above).

    Does nothing for a file already stored: models call this from save() every time.
    """
    if not field_file or field_file._committed:
        return
    field_file.file.seek(0)
    clean = reencode(field_file.file.read(), field_file.name)
    field_file.save(clean.name, clean, save=False)


def focal_crop(img: Image.Image, ratio: float, focal: tuple[float, float]) -> Image.Image:
    """The largest `ratio` (width / height) crop of `img` centred as near the focal point
    (fractions of width and height) as the edges allow."""
    width, height = img.size
    if abs(width / height - ratio) < 0.01:
        return img
    if width / height > ratio:  # too wide: keep the height, choose the columns
        w, h = round(height * ratio), height
    else:
        w, h = width, round(width / ratio)
    left = min(max(round(focal[0] * width - w / 2), 0), width - w)
    top = min(max(round(focal[1] * height - h / 2), 0), height - h)
    return img.crop((left, top, left + w, top + h))


def rendition_formats() -> list[tuple[str, str, str]]:
    """(Pillow format, extension, key), AVIF first when this Pillow can write it."""
    formats = [("WEBP", "webp", "webp"), ("JPEG", "jpg", "jpeg")]
    if features.check("avif"):
        formats.insert(0, ("AVIF", "avif", "avif"))
    return formats


def make_renditions(
    name: str, *, ratio: float | None = None, focal: tuple[float, float] = (0.5, 0.5)
) -> dict:
    """Resize a stored image to the configured widths as WebP and JPEG (AVIF too for
    library images when Pillow supports it), cropped to `ratio` around `focal` if given.

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
        if ratio:
            img = focal_crop(img, ratio, focal)
        width, height = img.size
        widths = [w for w in settings.IMAGE_RENDITION_WIDTHS if w < width] + [
            min(width, max(settings.IMAGE_RENDITION_WIDTHS))
        ]
        key_src = data + repr((ratio, focal)).encode() if ratio else data
        digest = hashlib.sha1(key_src).hexdigest()[:12]
        stem = PurePosixPath(name).stem[:40]
        formats = rendition_formats() if ratio else rendition_formats()[-2:]
        out: dict = {key: [] for _f, _e, key in formats} | {"width": width, "height": height}
        for w in sorted(set(widths)):
            h = max(1, round(height * w / width))
            resized = img.resize((w, h), Image.Resampling.LANCZOS)
            for fmt, ext, key in formats:
                buf = io.BytesIO()
                frame = bare(resized.convert("RGB") if fmt == "JPEG" else resized)
                # AVIF at speed 8: a tenth of the default's encoding time, nearly its size.
                options = {"quality": 60, "speed": 8} if fmt == "AVIF" else {"optimize": True}
                frame.save(buf, fmt, quality=options.pop("quality", 80), **options)
                path = f"renditions/{digest}/{stem}-{w}.{ext}"
                if not default_storage.exists(path):
                    default_storage.save(path, ContentFile(buf.getvalue()))
                out[key].append([w, default_storage.url(path)])
    return out
