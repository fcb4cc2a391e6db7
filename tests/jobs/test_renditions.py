"""Lead image and library renditions are made by the worker, not in the request that saved
the image."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from articles.library import Image
from articles.models import Article
from tests.factories import ArticleFactory, image_bytes, image_upload
from tests.jobs.worker import run_worker


def test_saving_a_lead_image_queues_its_renditions_for_the_worker(queued):
    upload = SimpleUploadedFile("quay.jpg", image_bytes("JPEG", (800, 600)))
    article = ArticleFactory(lead_image=upload)
    assert article.lead_image_renditions == {}  # nothing resized in the request
    task = DBTaskResult.objects.get(task_path="articles.tasks.make_article_renditions")
    assert task.args_kwargs["args"] == [article.pk, article.lead_image.name]
    run_worker()
    article = Article.objects.get(pk=article.pk)
    assert [w for w, _ in article.lead_image_renditions["webp"]] == [320, 640, 800]
    assert article.lead_image_renditions["source"] == article.lead_image.name


def test_a_replaced_image_makes_the_old_task_a_no_op(queued):
    article = ArticleFactory(lead_image=SimpleUploadedFile("a.png", image_bytes("PNG", (400, 300))))
    article.lead_image = SimpleUploadedFile("b.png", image_bytes("PNG", (500, 300)))
    article.save()
    run_worker()
    article = Article.objects.get(pk=article.pk)
    assert article.lead_image_renditions["source"] == article.lead_image.name
    assert article.lead_image_renditions["width"] == 500


def test_a_library_upload_returns_before_its_renditions_and_the_worker_makes_them(
    queued, client, editor
):
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_image_add"),
        {
            "file": image_upload("quay.jpg", size=(1600, 1200)),
            "title": "Quay",
            "alt_text": "The quay at dawn",
            "focal_x": "0.5",
            "focal_y": "0.5",
        },
    )
    assert response.status_code == 302
    image = Image.objects.get()
    original = image.file.url
    # Nothing resized in the request: readers get the uploaded (re-encoded) file meanwhile.
    assert image.renditions == {"jpeg": [[1600, original]], "width": 1600, "height": 1200}
    task = DBTaskResult.objects.get(task_path="articles.tasks.make_image_renditions")
    assert task.args_kwargs["args"] == [image.pk, [image.file.name, 0.5, 0.5]]
    article = ArticleFactory(
        image=image, body=f'<figure class="figure"><img src="x" data-file="{image.pk}">'
    )
    assert f'src="{original}"' in article.body_html
    page = client.get(article.get_absolute_url()).content.decode()
    assert original in page and "image/webp" not in page  # lead and body: the original

    run_worker()
    image.refresh_from_db()
    assert image.renditions["key"] == [image.file.name, 0.5, 0.5]
    assert image.renditions["width"] == 1600 and image.renditions["height"] == 900  # 16:9
    article.refresh_from_db()
    assert image.renditions["webp"][0][1] in article.body_html and original not in article.body_html
    page = client.get(article.get_absolute_url()).content.decode()  # refreshed, not cached
    assert image.renditions["webp"][0][1] in page and original not in page


def test_a_new_focal_point_keeps_the_old_crops_until_the_new_ones_are_made(queued):
    image = Image.objects.create(file=image_upload("pier.jpg", size=(1600, 1200)), title="Pier")
    run_worker()
    image.refresh_from_db()
    old = image.renditions
    image.focal_y = 0.1
    image.save()
    assert Image.objects.get(pk=image.pk).renditions == old
    run_worker()
    image.refresh_from_db()
    assert image.renditions["key"] == [image.file.name, 0.5, 0.1]
    assert image.renditions["jpeg"] != old["jpeg"]


def test_a_replaced_library_file_makes_the_old_task_a_no_op(queued):
    image = Image.objects.create(file=image_upload("a.jpg", size=(1200, 800)), title="A")
    image.file = image_upload("b.png", fmt="PNG", size=(1000, 600))
    image.save()
    assert (
        DBTaskResult.objects.filter(task_path="articles.tasks.make_image_renditions").count() == 2
    )
    run_worker()
    stale = DBTaskResult.objects.filter(task_path="articles.tasks.make_image_renditions").earliest(
        "enqueued_at"
    )
    assert "key" not in stale.return_value  # it made nothing
    image.refresh_from_db()
    assert image.renditions["key"][0] == image.file.name and image.file.name.endswith(".png")
    assert image.renditions["width"] == 1000
