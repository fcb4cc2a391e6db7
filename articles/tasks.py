"""Article work run by the task worker: lead image and image library renditions.

Saving an article whose lead image changed enqueues `make_article_renditions`, saving a
library image whose file or focal point changed `make_image_renditions` (in the same
transaction, so the worker sees it only once the row is committed); readers see the
resized copies as soon as the worker has made them, and no request waits for Pillow.
"""

from __future__ import annotations

from django_tasks import task

from .images import make_renditions
from .signals import image_changed


@task()
def make_article_renditions(article_id: int, name: str) -> dict:
    """Resize the article's lead image `name`; nothing if the article has another by now."""
    from .models import Article

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
    from .library import Image

    image = Image.objects.filter(pk=image_id).first()
    if image is None or not image.store_renditions(key):
        return image.renditions if image else {}
    image_changed(Image, image)  # pages cached with the old picture are stale now
    return image.renditions
