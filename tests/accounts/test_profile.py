"""Editing the profile (avatar checks included) and the public profile page."""

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.accounts.helpers import page_text
from tests.factories import ConfirmedReaderFactory, image_bytes

pytestmark = pytest.mark.django_db
EDIT = reverse("accounts:profile_edit")


def _form(**overrides):
    data = {
        "display_name": "Quay Walker",
        "bio": "Reads the shipping news every morning.",
        "notify_on_reply": "on",
    }
    data.update(overrides)
    return data


def _upload(data: bytes, name="me.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _exif_jpeg() -> bytes:
    img = Image.new("RGB", (600, 400), (200, 60, 40))
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Maker"  # Make
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def test_edit_profile_needs_login(client):
    response = client.get(EDIT)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={EDIT}"


def test_settings_link_leads_to_profile_editor(client, confirmed_reader):
    client.force_login(confirmed_reader)
    response = client.get(reverse("accounts:settings"))
    assert response.status_code == 302 and response["Location"] == EDIT


def test_edit_profile_saves_everything(client, confirmed_reader):
    client.force_login(confirmed_reader)
    page = client.get(EDIT)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page_text(page)
    response = client.post(EDIT, _form(avatar_upload=_upload(_exif_jpeg(), "me.jpg", "image/jpeg")))
    assert response.status_code == 302
    confirmed_reader.refresh_from_db()
    assert confirmed_reader.display_name == "Quay Walker"
    assert confirmed_reader.bio == "Reads the shipping news every morning."
    assert confirmed_reader.notify_on_reply is True
    assert confirmed_reader.notify_on_moderation is False
    # The avatar is stored as a 256 px square WebP with the EXIF data gone.
    stored = Path(django_settings.MEDIA_ROOT) / confirmed_reader.avatar.name
    with Image.open(stored) as img:
        assert img.format == "WEBP"
        assert img.size == (256, 256)
        assert not img.getexif()
    assert b"Secret Camera Maker" not in stored.read_bytes()
    assert "Your profile is saved." in page_text(client.get(EDIT))


def test_new_avatar_replaces_and_removes_old_file(client, confirmed_reader):
    client.force_login(confirmed_reader)
    client.post(EDIT, _form(avatar_upload=_upload(image_bytes("PNG", (300, 300)))))
    confirmed_reader.refresh_from_db()
    first = Path(django_settings.MEDIA_ROOT) / confirmed_reader.avatar.name
    assert first.exists()
    with django_transaction_commits():
        client.post(EDIT, _form(avatar_upload=_upload(image_bytes("GIF", (90, 200)), "a.gif")))
    confirmed_reader.refresh_from_db()
    assert (Path(django_settings.MEDIA_ROOT) / confirmed_reader.avatar.name).exists()
    assert not first.exists()
    client.post(EDIT, _form(remove_avatar="on"))
    confirmed_reader.refresh_from_db()
    assert not confirmed_reader.avatar


def django_transaction_commits():
    """The old file is deleted on commit; the test client's request runs inside the
    test's transaction, so run the on_commit callbacks explicitly."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_avatar_that_is_not_an_image_is_refused_and_input_kept(client, confirmed_reader):
    client.force_login(confirmed_reader)
    old_name = confirmed_reader.display_name
    fake = _upload(b"#!/bin/sh\necho not a picture\n", "me.jpg", "image/jpeg")
    response = client.post(EDIT, _form(display_name="Kept Name", avatar_upload=fake))
    html = page_text(response)
    assert response.status_code == 200
    assert "not a valid image" in html
    assert 'value="Kept Name"' in html
    assert "Reads the shipping news every morning." in html
    assert "choose the file again" in html
    confirmed_reader.refresh_from_db()
    assert confirmed_reader.display_name == old_name
    assert not confirmed_reader.avatar


def test_avatar_too_large_is_refused(client, confirmed_reader, settings):
    settings.AVATAR_MAX_BYTES = 10_000
    client.force_login(confirmed_reader)
    noisy = Image.effect_noise((300, 300), 80).convert("RGB")
    buf = io.BytesIO()
    noisy.save(buf, "PNG")
    assert len(buf.getvalue()) > 10_000
    response = client.post(EDIT, _form(avatar_upload=_upload(buf.getvalue())))
    assert response.status_code == 200
    assert "The picture is " in page_text(response)
    assert "the limit is 10 KB" in page_text(response)
    confirmed_reader.refresh_from_db()
    assert not confirmed_reader.avatar


def test_avatar_with_too_many_pixels_is_refused(client, confirmed_reader, settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100
    client.force_login(confirmed_reader)
    response = client.post(EDIT, _form(avatar_upload=_upload(image_bytes("PNG", (200, 200)))))
    assert response.status_code == 200
    assert "megapixels" in page_text(response) or "too large in pixels" in page_text(response)


def test_pdf_or_svg_avatar_is_refused(client, confirmed_reader):
    client.force_login(confirmed_reader)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = client.post(EDIT, _form(avatar_upload=_upload(svg, "me.svg", "image/svg+xml")))
    assert "not a valid image" in page_text(response)


def test_bio_too_long_keeps_text(client, confirmed_reader):
    client.force_login(confirmed_reader)
    long_bio = "Tide tables and ferry timetables. " * 12
    response = client.post(EDIT, _form(bio=long_bio))
    html = page_text(response)
    assert response.status_code == 200
    assert "at most 300 characters" in html
    assert "Tide tables and ferry timetables." in html


def test_profile_form_cannot_grant_staff(client, confirmed_reader):
    client.force_login(confirmed_reader)
    client.post(EDIT, _form(is_staff="on", is_superuser="on", email="x@example.org"))
    confirmed_reader.refresh_from_db()
    assert not confirmed_reader.is_staff and not confirmed_reader.is_superuser
    assert confirmed_reader.email != "x@example.org"


def test_public_profile_shows_name_avatar_bio_never_email(client, confirmed_reader):
    client.force_login(confirmed_reader)
    client.post(
        EDIT,
        _form(
            bio="<script>alert('x')</script> Loves <b>boats</b>",
            avatar_upload=_upload(image_bytes("PNG", (300, 200))),
        ),
    )
    client.logout()
    confirmed_reader.refresh_from_db()
    url = reverse("accounts:profile", kwargs={"pk": confirmed_reader.pk})
    response = client.get(url)
    html = page_text(response)
    assert response.status_code == 200
    assert "Quay Walker" in html
    assert confirmed_reader.avatar.url in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert confirmed_reader.email not in html
    assert confirmed_reader.email.split("@")[0] not in html
    assert confirmed_reader.username not in html


def test_own_profile_has_edit_link(client, confirmed_reader):
    client.force_login(confirmed_reader)
    html = page_text(client.get(confirmed_reader.get_absolute_url()))
    assert f'href="{EDIT}"' in html
    assert confirmed_reader.email not in html


def test_profile_of_unknown_or_deleted_reader_is_404(client):
    from accounts.services import delete_account

    assert client.get(reverse("accounts:profile", kwargs={"pk": 999999})).status_code == 404
    gone = ConfirmedReaderFactory()
    delete_account(user=gone)
    assert client.get(gone.get_absolute_url()).status_code == 404


def test_profile_page_query_count(client, confirmed_reader, django_assert_num_queries):
    url = confirmed_reader.get_absolute_url()
    # The reader, the header's topics, the footer's app block, the reader's published
    # comments (comments app, through ACCOUNTS_PROFILE_SECTIONS), and, on this cold cache,
    # when something shown next changes by itself (the header and footer fragments are
    # cached with what they read, serving/dependencies.py, and expire then).
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200


def test_profile_sections_hook_is_called(client, confirmed_reader, settings):
    settings.ACCOUNTS_PROFILE_SECTIONS = ["tests.accounts.test_profile.fake_profile_section"]
    html = page_text(client.get(confirmed_reader.get_absolute_url()))
    assert "A comment about the harbour wall" in html


def fake_profile_section(request, profile_user):
    """Stands in for the comments app's section in the hook test (a plain string: escaped)."""
    return f"A comment about the harbour wall by {profile_user.pk}"
