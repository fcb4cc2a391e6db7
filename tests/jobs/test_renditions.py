"""Lead image renditions are made by the worker, not in the request that saved the image."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from tests.factories import ArticleFactory, image_bytes
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
