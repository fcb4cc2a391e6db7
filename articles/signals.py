"""What other apps may hear of articles, and the one write whose effect the rows do not say.

Page freshness of articles, sources, topics, corrections, promos, pins and library images
is derived from their declarations (each model's `CacheTags`, serving/dependencies.py):
nothing here bumps tags for them. What remains:

- `articles_went_live`, a signal for other apps' derived data (stories);
- `image_changed`: a library picture's renditions or words changed, and the articles
  showing it in their bodies print it from their stored HTML, so their pages change
  without a write of theirs.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import Signal

from serving.dependencies import changed

from .models import Article, BodyImage, Image

articles_went_live = Signal()
"""Scheduled articles went live (their published_at passed) without a save of theirs.

Sent by `articles.scheduling.refresh_pages_gone_live` once per scheduler tick in which at
least one article went live, after their pages were refreshed, with the keyword argument
`article_ids` (list[int]). Receivers run inside the tick's transaction and must stay
cheap: enqueue work on commit (stories refreshes the stories of these articles), never
raise. Other apps connect to it; `articles` never imports them.
"""


def image_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """A library picture's words or renditions changed: the articles showing it did too."""
    if raw:
        return
    shown = Q(image=instance) | Q(social_image=instance)
    ids = set(Article.objects.filter(shown).values_list("pk", flat=True))
    ids |= set(BodyImage.objects.filter(image=instance).values_list("article_id", flat=True))
    changed(Article, ids)


def connect() -> None:
    post_save.connect(image_changed, sender=Image, dispatch_uid="pages-image-save")
