"""The house: the site itself as a Source, credited for the newsroom's own articles.

Migration 0013 makes it from SITE_NAME; the database keeps at most one
(`source_one_house`). Its articles read "By <byline>, <site>", never "First published
by", and are never shown as republished (`Article.is_house`, `Article.is_republished`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from .models import Source


def house_source() -> Source | None:
    """The house source, or None (a database flushed by a test, before the migration)."""
    return Source.objects.filter(is_house=True).first()


def ensure_house(source_model=Source, name: str | None = None):
    """Make the house source from SITE_NAME unless there is one (idempotent; the data
    migration passes its historical model). A source already named so becomes the house."""
    existing = source_model.objects.filter(is_house=True).first()
    if existing is not None:
        return existing
    name = name or settings.SITE_NAME
    slug = slugify(name)[:120] or "house"
    source = source_model.objects.filter(name=name).first()
    source = source or source_model.objects.filter(slug=slug).first()
    if source is None:
        return source_model.objects.create(
            name=name,
            slug=slug,
            is_house=True,
            is_active=False,
            description=f"Reporting by the {name} newsroom.",
        )
    source.is_house = True
    source.save(update_fields=["is_house"])
    return source


@transaction.atomic
def make_house(source: Source) -> Source:
    """Move the house mark to `source` (one house at a time: the other loses it first)."""
    for previous in Source.objects.filter(is_house=True).exclude(pk=source.pk):
        previous.is_house = False
        previous.save(update_fields=["is_house"])
    source.is_house = True
    source.save(update_fields=["is_house"])
    return source
