"""Article work run by the task worker: lead image and image library renditions, and the
receivers that queue it.

Saving an article whose uploaded lead image changed queues `make_article_renditions`;
saving a library image whose file or focal point changed queues `make_image_renditions`
(post_save receivers connected in ArticlesConfig.ready, so every save path queues them,
and the models import no task). The task row is written in the saving transaction, so the
worker sees it only once the row is committed; readers see the resized copies as soon as
the worker has made them, and no request waits for Pillow.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django_tasks import TaskResultStatus, task

from .images import make_renditions
from .library import Image
from .models import Article
from .signals import image_changed


@task()
def make_article_renditions(article_id: int, name: str) -> dict:
    """Resize the article's lead image `name`; nothing if the article has another by now."""
    if not Article.objects.filter(pk=article_id, lead_image=name).exists():
        return {}
    renditions = {**make_renditions(name), "source": name}
    # The update bumps the article's pages (serving/dependencies.py).
    Article.objects.filter(pk=article_id, lead_image=name).update(lead_image_renditions=renditions)
    return renditions


@task()
def make_image_renditions(image_id: int, key: list) -> dict:
    """Crop and resize library image `image_id` as `key` (file name, focal point) says,
    then render again the bodies that show it; nothing if the image changed since."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None or not image.store_renditions(key):
        return image.renditions if image else {}
    image_changed(Image, image)  # pages cached with the old picture are stale now
    return image.renditions


def article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    """When the uploaded lead image changed, drop the old renditions and queue new ones."""
    name = instance.lead_image.name or ""
    if raw or instance.lead_image_renditions.get("source", "") == name:
        return
    if instance.lead_image_renditions:
        instance.lead_image_renditions = {}
        Article.objects.filter(pk=instance.pk).update(lead_image_renditions={})
    if not name:
        return
    result = make_article_renditions.enqueue(instance.pk, name)
    if result.status == TaskResultStatus.SUCCESSFUL:  # an immediate backend (tests)
        instance.lead_image_renditions = result.return_value


def image_saved(sender, instance: Image, raw: bool = False, **kwargs) -> None:
    """When the file or the focal point changed, queue new renditions. Meanwhile readers
    see the previous crops after a new focal point, the uploaded file itself after a new
    file (it is already re-encoded and stripped; the crops replace it within seconds)."""
    key = instance.renditions_key
    if raw or instance.renditions.get("key") == key:
        return
    if (instance.renditions.get("key") or [None])[0] != instance.file.name:
        instance.renditions = instance.original_only()
        Image.objects.filter(pk=instance.pk).update(renditions=instance.renditions)
    result = make_image_renditions.enqueue(instance.pk, key)
    if result.status == TaskResultStatus.SUCCESSFUL:  # an immediate backend (tests)
        instance.renditions = result.return_value


def connect() -> None:
    post_save.connect(article_saved, sender=Article, dispatch_uid="articles-lead-renditions")
    post_save.connect(image_saved, sender=Image, dispatch_uid="articles-library-renditions")
