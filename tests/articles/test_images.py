"""The shared image checks, used by admin uploads and feed ingestion alike."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from articles.images import check_image_bytes
from tests.factories import image_bytes


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_accepts_the_four_formats(fmt):
    assert check_image_bytes(image_bytes(fmt, (64, 48)))[0] == fmt


def test_text_renamed_jpg_is_refused():
    with pytest.raises(ValidationError) as err:
        check_image_bytes(b"plain text pretending to be a photo")
    assert err.value.code == "image_invalid"


def test_truncated_jpeg_is_refused():
    with pytest.raises(ValidationError) as err:
        check_image_bytes(image_bytes("JPEG", (800, 600))[:700])
    assert err.value.code == "image_invalid"


def test_decompression_bomb_is_refused_before_decoding():
    buf = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, "PNG")
    with pytest.raises(ValidationError) as err:
        check_image_bytes(buf.getvalue())
    assert err.value.code == "image_too_many_pixels"


def test_pixel_limit_from_settings(settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationError) as err:
        check_image_bytes(image_bytes("PNG", (101, 100)))
    assert err.value.code == "image_too_many_pixels"


def test_byte_limit_from_settings(settings):
    settings.IMAGE_MAX_BYTES = 100
    with pytest.raises(ValidationError) as err:
        check_image_bytes(image_bytes("PNG", (64, 64)))
    assert err.value.code == "image_too_large"
