"""The editors' admin: who may do what, image checks, bulk actions and revisions."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article, ArticleRevision
from tests.factories import EMPTY_ARTICLE_INLINES, ArticleFactory, SourceFactory, image_bytes

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")


def _form(source, **overrides):
    data = {
        "title": "Ferry timetable changes for the winter",
        "slug": "ferry-timetable-winter",
        "summary": "Fewer sailings on Sundays.",
        "body": "<p>The operator published the new times today.</p>",
        "source": source.pk,
        "status": "published",
        "published_at_0": "2025-02-09",
        "published_at_1": "10:00:00",
        "comments_enabled": "on",
        **EMPTY_ARTICLE_INLINES,
    }
    data.update(overrides)
    return data


def test_editor_publishes_article_with_image(client, editor):
    source = SourceFactory()
    client.force_login(editor)
    upload = SimpleUploadedFile("ferry.jpg", image_bytes("JPEG", (1600, 900)), "image/jpeg")
    response = client.post(ADD_URL, _form(source, lead_image=upload))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="ferry-timetable-winter")
    assert article.is_visible
    widths = [w for w, _ in article.lead_image_renditions["webp"]]
    assert widths == [320, 640, 1280]
    assert [w for w, _ in article.lead_image_renditions["jpeg"]] == [320, 640, 1280]
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'type="image/webp"' in page and "320w" in page and "1280w" in page
    revision = ArticleRevision.objects.get(article=article)
    assert revision.author == editor and "title" in revision.changed_fields


def test_moderator_cannot_change_articles(client, moderator):
    article = ArticleFactory()
    client.force_login(moderator)
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert client.get(url).status_code == 403
    assert client.post(ADD_URL, _form(SourceFactory())).status_code == 403
    assert not Article.objects.filter(slug="ferry-timetable-winter").exists()


def test_reader_never_reaches_admin(client, reader):
    client.force_login(reader)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def _truncated_jpeg():
    return image_bytes("JPEG", (800, 600))[:600]


def _bomb_png():
    buf = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, "PNG")  # 144 megapixels, a few kB
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("notes.jpg", b"This is a text file, not a picture.\n" * 20, "not an image"),
        ("cut.jpg", None, "corrupted image"),
        ("bomb.png", None, "megapixels"),
        ("anim.bmp", None, "Only JPEG, PNG, WebP and GIF"),
    ],
)
def test_bad_images_get_clear_error_and_nothing_stored(
    client, editor, settings, name, payload, message
):
    if name == "cut.jpg":
        payload = _truncated_jpeg()
    elif name == "bomb.png":
        payload = _bomb_png()
    elif name == "anim.bmp":
        payload = image_bytes("BMP", (40, 40))
    source = SourceFactory()
    client.force_login(editor)
    upload = SimpleUploadedFile(name, payload, "image/jpeg")
    response = client.post(ADD_URL, _form(source, lead_image=upload))
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors)
    assert message in errors
    assert not Article.objects.exists()
    import pathlib

    assert not any(p.is_file() for p in pathlib.Path(settings.MEDIA_ROOT).rglob("*"))
    # What the editor typed is kept.
    assert "Ferry timetable changes for the winter" in response.content.decode()


def test_image_over_byte_limit_is_refused(client, editor, settings):
    settings.IMAGE_MAX_BYTES = 10_000
    client.force_login(editor)
    upload = SimpleUploadedFile(
        "big.png", image_bytes("PNG", (900, 900), (1, 2, 3)) + b"0" * 20_000
    )
    response = client.post(ADD_URL, _form(SourceFactory(), lead_image=upload))
    assert "the limit is" in str(response.context["adminform"].form.errors)


def test_bulk_publish_unpublish_and_schedule(client, editor):
    drafts = [ArticleFactory(status=Article.Status.DRAFT, published_at=None) for _ in range(2)]
    client.force_login(editor)
    changelist = reverse("admin:articles_article_changelist")
    ids = [a.pk for a in drafts]
    client.post(changelist, {"action": "publish_now", "_selected_action": ids})
    assert all(a.is_visible for a in Article.objects.filter(pk__in=ids))

    client.post(changelist, {"action": "unpublish", "_selected_action": ids})
    assert set(Article.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"draft"}

    form_page = client.post(changelist, {"action": "schedule", "_selected_action": ids})
    assert b"Publish at" in form_page.content
    when = timezone.localtime() + timezone.timedelta(days=1)
    # The same two boxes (date, time) and format as the article's edit form.
    client.post(
        changelist,
        {
            "action": "schedule",
            "_selected_action": ids,
            "apply": "1",
            "publish_at_0": when.strftime("%Y-%m-%d"),
            "publish_at_1": when.strftime("%H:%M:%S"),
        },
    )
    scheduled = Article.objects.filter(pk__in=ids)
    assert all(a.is_scheduled for a in scheduled)
    listing = client.get(changelist).content.decode()
    assert "Scheduled" in listing

    # Withdrawn through the service (publishing.withdraw): off the site, a revision each.
    client.post(changelist, {"action": "withdraw", "_selected_action": ids})
    withdrawn = Article.objects.filter(pk__in=ids)
    assert set(withdrawn.values_list("status", flat=True)) == {"withdrawn"}
    assert all(a.revisions.first().changed_fields == ["status"] for a in withdrawn)


def test_schedule_in_the_past_is_refused(client, editor):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {
            "action": "schedule",
            "_selected_action": [article.pk],
            "apply": "1",
            "publish_at_0": "2001-01-01",
            "publish_at_1": "10:00",
        },
    )
    assert b"Choose a time in the future" in response.content
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_revision_restore(client, editor):
    source = SourceFactory()
    client.force_login(editor)
    client.post(ADD_URL, _form(source))
    article = Article.objects.get()
    change = reverse("admin:articles_article_change", args=[article.pk])
    client.post(
        change,
        _form(
            source,
            title="Ferry timetable: a new headline",
            **{
                "revisions-TOTAL_FORMS": "1",
                "revisions-INITIAL_FORMS": "1",
                "revisions-0-id": ArticleRevision.objects.get().pk,
                "revisions-0-article": article.pk,
            },
        ),
    )
    article.refresh_from_db()
    assert article.title == "Ferry timetable: a new headline"
    first = ArticleRevision.objects.order_by("created_at", "id").first()
    restore_url = reverse("admin:articles_article_restore", args=[article.pk, first.pk])
    assert b"Restore" in client.get(restore_url).content
    client.post(restore_url)
    article.refresh_from_db()
    assert article.title == "Ferry timetable changes for the winter"
    assert ArticleRevision.objects.filter(article=article).count() == 3
    history = client.get(change).content.decode()
    assert "Restored revision of" in history  # what changed, in words


def test_preview_link_for_drafts(client, editor):
    article = ArticleFactory(status=Article.Status.DRAFT)
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content
    assert b"Preview this draft" in page and article.get_absolute_url().encode() in page
