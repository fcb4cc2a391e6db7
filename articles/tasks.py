"""Article work run by the task worker: lead image renditions.

Saving an article whose lead image changed enqueues `make_article_renditions` (in the
same transaction, so the worker sees it only once the article is committed); readers see
the picture as soon as the worker has made the resized copies, and no request waits for
Pillow.
"""

from __future__ import annotations

from django_tasks import task

from .images import make_renditions
from .signals import articles_changed


@task()
def make_article_renditions(article_id: int, name: str) -> dict:
    """Resize the article's lead image `name`; nothing if the article has another by now."""
    from .models import Article

    if not Article.objects.filter(pk=article_id, lead_image=name).exists():
        return {}
    renditions = {**make_renditions(name), "source": name}
    if Article.objects.filter(pk=article_id, lead_image=name).update(
        lead_image_renditions=renditions
    ):
        articles_changed([article_id])  # pages cached without the picture are stale now
    return renditions
