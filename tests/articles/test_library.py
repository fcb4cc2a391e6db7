"""The image library: clean re-encoded files, focal-point renditions, the picker, and
images in use that cannot be deleted."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.urls import reverse
from PIL import Image as PILImage
from PIL import features

from articles.images import focal_crop
from articles.library import Image
from tests.factories import (
    EMPTY_ARTICLE_INLINES,
    ArticleFactory,
    SourceFactory,
    image_bytes,
    image_upload,
)

pytestmark = pytest.mark.django_db


def _library_image(**kwargs) -> Image:
    kwargs.setdefault("file", image_upload("harbour.jpg", size=(1600, 1200)))
    kwargs.setdefault("title", "Harbour")
    kwargs.setdefault("alt_text", "Boats in the harbour")
    return Image.objects.create(**kwargs)


def _polyglot() -> bytes:
    """A valid GIF that is also an HTML page: the bytes after the image are a script."""
    buf = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 10, 10)).save(buf, "GIF")
    return buf.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


def test_gif_html_polyglot_uploaded_as_pdf_is_stored_as_a_clean_gif():
    # Issue 18, defect 13: the upload kept its .pdf name and its HTML tail.
    image = _library_image(file=SimpleUploadedFile("report.pdf", _polyglot(), "application/pdf"))
    assert image.file.name.endswith(".gif")
    with default_storage.open(image.file.name, "rb") as fh:
        stored = fh.read()
    assert b"<script" not in stored and b"<html" not in stored
    assert PILImage.open(io.BytesIO(stored)).format == "GIF"


def test_polyglot_as_an_article_lead_upload_is_cleaned_too(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Polyglot",
            "slug": "polyglot",
            "source": SourceFactory().pk,
            "status": "draft",
            "lead_image": SimpleUploadedFile("x.pdf", _polyglot(), "application/pdf"),
            **EMPTY_ARTICLE_INLINES,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = ArticleFactory._meta.model.objects.get(slug="polyglot")
    assert article.lead_image.name.endswith(".gif")
    with default_storage.open(article.lead_image.name, "rb") as fh:
        assert b"<script" not in fh.read()


def test_renditions_are_cropped_around_the_focal_point_in_every_format():
    image = _library_image(focal_x=0.9, focal_y=0.5)
    r = image.renditions
    assert [w for w, _ in r["webp"]] == [320, 640, 1280]
    assert [w for w, _ in r["jpeg"]] == [320, 640, 1280]
    assert (r["width"], r["height"]) == (1600, 900)  # 16:9 out of 4:3
    if features.check("avif"):
        assert [w for w, _ in r["avif"]] == [320, 640, 1280]
        assert image.sources[0][0] == "image/avif"


def test_focal_crop_keeps_the_point_in_view_and_stays_inside():
    img = PILImage.new("RGB", (1000, 1000))
    assert focal_crop(img, 2.0, (0.5, 0.95)).getbbox() is None  # a crop, not a resize
    left_crop = focal_crop(img, 2.0, (0.5, 0.0))
    assert left_crop.size == (1000, 500)
    # 0.95 down: the band is pushed to the bottom edge, never past it.
    bottom = PILImage.new("RGB", (1000, 1000), (0, 0, 0))
    bottom.paste((255, 0, 0), (0, 900, 1000, 1000))
    band = focal_crop(bottom, 2.0, (0.5, 0.95))
    assert band.getpixel((10, 499)) == (255, 0, 0) and band.getpixel((10, 0)) == (0, 0, 0)


def test_replacing_the_file_refreshes_renditions_and_bodies_using_it():
    image = _library_image()
    before = image.renditions["jpeg"][0][1]
    article = ArticleFactory(body=f'<figure class="figure"><img src="x" data-file="{image.pk}">')
    assert before in article.body_html
    image.file = image_upload("harbour-new.png", fmt="PNG", size=(1200, 675))
    image.save()
    after = image.renditions["jpeg"][0][1]
    assert after != before
    article.refresh_from_db()
    assert after in article.body_html and before not in article.body_html


def test_an_image_in_use_cannot_be_deleted():
    lead, inline = _library_image(), _library_image(title="Inline")
    ArticleFactory(image=lead)
    ArticleFactory(body=f'<img src="x" data-file="{inline.pk}">')
    for image in (lead, inline):
        with pytest.raises(ProtectedError):
            image.delete()
    spare = _library_image(title="Spare")
    spare.delete()


def test_admin_refuses_to_delete_a_picture_in_use_and_says_what_to_do(client, editor):
    image = _library_image()
    ArticleFactory(image=image, title="Harbour reopens")
    client.force_login(editor)
    response = client.get(reverse("admin:articles_image_delete", args=[image.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert "Choose another picture" in response.content.decode()
    assert Image.objects.filter(pk=image.pk).exists()


def test_picker_searches_the_library(client, editor):
    _library_image(title="Harbour at dawn")
    _library_image(title="Council chamber", alt_text="")
    client.force_login(editor)
    url = reverse("admin:articles_image_pick")
    page = client.get(url, {"q": "harbour", "CKEditorFuncNum": "-1"}).content.decode()
    assert "Harbour at dawn" in page and "Council chamber" not in page
    assert 'data-func="-1"' in page
    page = client.get(url).content.decode()
    assert "Council chamber" in page and "No alt text yet" in page


def test_picker_and_library_are_staff_only(client, reader):
    client.force_login(reader)
    response = client.get(reverse("admin:articles_image_pick"))
    assert response.status_code == 302  # to the admin login


def test_lead_image_from_the_library_renders_a_picture(client):
    image = _library_image(caption="Morning light", credit="Demo studio")
    article = ArticleFactory(image=image)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'type="image/webp"' in page and 'alt="Boats in the harbour"' in page
    assert "Morning light" in page and "Demo studio" in page


def test_publishing_with_a_library_image_without_alt_text_is_refused(client, editor):
    image = _library_image(alt_text="")
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "No alt",
            "slug": "no-alt",
            "source": SourceFactory().pk,
            "status": "published",
            "image": image.pk,
            **EMPTY_ARTICLE_INLINES,
        },
    )
    assert response.status_code == 200
    assert "no alt text yet" in str(response.context["adminform"].form.errors)


def test_unchanged_image_keeps_its_renditions(django_assert_num_queries):
    image = _library_image()
    # The UPDATE and the two lookups of the articles showing it (their pages' tags); no
    # re-encoding, no new renditions.
    with django_assert_num_queries(3):
        image.title = "Harbour, renamed"
        image.save()
    assert image_bytes  # keeps the import used for the helper above


def test_source_logo_and_promo_background_uploads_are_re_encoded_too():
    from tests.factories import PromoFactory

    source = SourceFactory(logo=SimpleUploadedFile("logo.pdf", _polyglot(), "application/pdf"))
    promo = PromoFactory(
        background_image=SimpleUploadedFile("bg.pdf", _polyglot(), "application/pdf")
    )
    for field in (source.logo, promo.background_image):
        assert field.name.endswith(".gif")
        with default_storage.open(field.name, "rb") as fh:
            assert b"<script" not in fh.read()


def _with_text(fmt: str) -> bytes:
    """An image whose comment (JPEG COM, GIF comment extension) or text chunk (PNG) holds
    a script and PHP."""
    payload = b"<script>alert(1)</script><?php system($_GET['c']); ?>"
    buf = io.BytesIO()
    img = PILImage.new("RGB", (1300, 900), (20, 120, 60))
    if fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", payload.decode())
        img.save(buf, fmt, pnginfo=info)
    else:
        img = img.convert("P") if fmt == "GIF" else img
        img.save(buf, fmt, comment=payload)
    data = buf.getvalue()
    assert b"<script>" in data and b"<?php" in data  # the sample really carries it
    return data


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "a.jpg"), ("GIF", "a.gif"), ("PNG", "a.png")])
def test_comment_and_text_segments_are_gone_from_the_original_and_every_rendition(fmt, name):
    # Issue 28: EXIF was stripped but a JPEG/GIF comment survived re-encoding.
    image = _library_image(file=SimpleUploadedFile(name, _with_text(fmt)))
    paths = [image.file.name]
    image.store_renditions(image.renditions_key)
    for key in ("webp", "jpeg", "avif"):
        for _width, url in image.renditions.get(key, []):
            paths.append(url.removeprefix(default_storage.base_url))
    assert len(paths) > 3
    for path in paths:
        with default_storage.open(path, "rb") as fh:
            stored = fh.read()
        assert b"<script" not in stored and b"<?php" not in stored, path
