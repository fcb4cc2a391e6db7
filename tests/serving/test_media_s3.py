"""Media on S3: uploads, renditions and avatars in a bucket served by a real S3 API (moto's
server mode on 127.0.0.1), and two app servers sharing it with no shared disk."""

from __future__ import annotations

import json
import re
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import services
from articles.models import Article
from tests.factories import ArticleFactory, ConfirmedReaderFactory, image_bytes
from tests.jobs.worker import start_app_server, subprocess_env
from tests.processes import stop
from tests.s3 import BUCKET, PUBLIC_READ, MotoServer


@pytest.fixture(scope="module")
def moto():
    server = MotoServer()
    client = server.client()
    client.create_bucket(Bucket=BUCKET)
    # Readers fetch media straight from the bucket: public read, as docs/deployment.md says.
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    yield server
    server.stop()


@pytest.fixture
def s3_media(settings, moto):
    from newsroom.settings import s3_media_storage

    client = moto.client()
    for key in moto.keys():
        client.delete_object(Bucket=BUCKET, Key=key)
    settings.STORAGES = {**settings.STORAGES, "default": s3_media_storage(moto.env())}
    return moto


def get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


@pytest.mark.django_db
def test_lead_image_and_renditions_go_to_the_bucket(s3_media):
    article = ArticleFactory(
        lead_image=SimpleUploadedFile("quay.jpg", image_bytes("JPEG", (900, 600)))
    )
    article = Article.objects.get(pk=article.pk)
    keys = s3_media.keys()
    assert article.lead_image.name in keys
    widths = [w for w, _ in article.lead_image_renditions["webp"]]
    assert widths == [320, 640, 900]
    assert len([k for k in keys if k.startswith("renditions/")]) == 6  # WebP and JPEG each
    url = article.lead_image_renditions["jpeg"][0][1]
    assert url.startswith(f"{s3_media.url}/{BUCKET}/renditions/")
    status, content_type, body = get(url)
    assert status == 200 and body[:3] == b"\xff\xd8\xff"  # a JPEG, read back over HTTP


@pytest.mark.django_db
def test_a_replaced_avatar_is_deleted_from_the_bucket(s3_media, django_capture_on_commit_callbacks):
    reader = ConfirmedReaderFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_profile(
            user=reader, display_name="Ada", avatar_bytes=image_bytes("PNG", (300, 300))
        )
    first = reader.avatar.name
    assert first in s3_media.keys()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_profile(
            user=reader, display_name="Ada", avatar_bytes=image_bytes("JPEG", (300, 300))
        )
    assert reader.avatar.name != first
    assert s3_media.keys() == {reader.avatar.name}  # the old picture is gone
    status, content_type, body = get(reader.avatar.url)
    assert status == 200 and body[:4] == b"RIFF"  # the WebP the site made


def test_two_app_servers_share_media_with_no_shared_disk(
    s3_media, transactional_db, client, tmp_path
):
    reader = ConfirmedReaderFactory(display_name="Ines Upload")
    client.force_login(reader)  # a session in the shared database, valid on both servers
    session = client.cookies["sessionid"].value
    servers = []
    try:
        for name in ("a", "b"):
            # Each server gets its own empty MEDIA_ROOT: nothing on disk is shared.
            env = subprocess_env(
                **s3_media.env(), MEDIA_ROOT=str(tmp_path / name), SERVE_MEDIA="0", HTTPS="0"
            )
            servers.append(start_app_server(env))
        (_, a), (_, b) = servers
        # Upload a new picture through server A's profile form.
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.addheaders = [("Cookie", f"sessionid={session}")]
        form = opener.open(a + reverse("accounts:profile_edit")).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        csrf_cookie = next(c.value for c in jar if c.name == "csrftoken")
        boundary = "----newsroom-test"
        fields = {"csrfmiddlewaretoken": token, "display_name": "Ines Upload", "bio": ""}
        body = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        )
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="avatar_upload"; '
                f'filename="me.png"\r\nContent-Type: image/png\r\n\r\n'
            ).encode()
            + image_bytes("PNG", (200, 200))
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            a + reverse("accounts:profile_edit"),
            data=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": f"sessionid={session}; csrftoken={csrf_cookie}",
                "Referer": a + reverse("accounts:profile_edit"),
            },
        )
        urllib.request.urlopen(request, timeout=20)
        reader.refresh_from_db()
        assert reader.avatar.name in s3_media.keys()
        # Server B shows the same picture, at the bucket's address, readable there.
        profile = reverse("accounts:profile", args=[reader.pk])
        pages = [
            urllib.request.urlopen(base + profile, timeout=10).read().decode() for base in (a, b)
        ]
        urls = [
            re.search(r'<img class="avatar[^"]*" src="([^"]+)"', page).group(1) for page in pages
        ]
        assert urls[0] == urls[1] and urls[0].startswith(f"{s3_media.url}/{BUCKET}/avatars/")
        status, _, data = get(urls[1].replace("&amp;", "&"))
        assert status == 200 and data[:4] == b"RIFF"
        assert not any((tmp_path / name).exists() for name in ("a", "b"))
    finally:
        for proc, _ in servers:
            stop(proc, timeout=20)
