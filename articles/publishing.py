"""Article writes that keep history: every change is a revision that can be restored."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.dateparse import parse_datetime

from .models import Article, ArticleRevision

SNAPSHOT_FIELDS = (
    "title",
    "slug",
    "summary",
    "body",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "byline",
    "original_url",
    "status",
    "comments_enabled",
)


def snapshot(article: Article) -> dict:
    data = {name: getattr(article, name) for name in SNAPSHOT_FIELDS}
    data["lead_image"] = article.lead_image.name or ""
    data["source_id"] = article.source_id
    data["agency_id"] = article.agency_id
    data["published_at"] = article.published_at.isoformat() if article.published_at else None
    data["topic_ids"] = sorted(article.topics.values_list("pk", flat=True))
    return data


def record(*, article: Article, author, changed_fields: list[str]) -> ArticleRevision:
    """Keep a revision of the article as it is now, saying who changed what."""
    return ArticleRevision.objects.create(
        article=article,
        author=author if getattr(author, "pk", None) else None,
        changed_fields=changed_fields,
        snapshot=snapshot(article),
    )


@transaction.atomic
def publish(*, article: Article, author, when: datetime) -> Article:
    """Publish now (`when` in the past) or schedule (`when` in the future)."""
    article.status = Article.Status.PUBLISHED
    article.published_at = when
    article.save()
    record(article=article, author=author, changed_fields=["status", "published_at"])
    return article


@transaction.atomic
def unpublish(*, article: Article, author) -> Article:
    article.status = Article.Status.DRAFT
    article.save()
    record(article=article, author=author, changed_fields=["status"])
    return article


@transaction.atomic
def restore(*, revision: ArticleRevision, author) -> Article:
    """Put the article back as it was in `revision`; the restore is itself a revision."""
    article = revision.article
    data = revision.snapshot
    for name in SNAPSHOT_FIELDS:
        if name in data:
            setattr(article, name, data[name])
    article.lead_image.name = data.get("lead_image") or ""
    article.source_id = data["source_id"]
    article.agency_id = data.get("agency_id")
    published = data.get("published_at")
    article.published_at = parse_datetime(published) if published else None
    if article.guid:
        # Choosing an earlier version is an editor's edit: the feed must not undo it.
        article.edited_in_admin = True
    article.save()
    article.topics.set(data.get("topic_ids", []))
    record(
        article=article,
        author=author,
        changed_fields=[f"restored revision of {revision.created_at:%d %b %Y %H:%M}"],
    )
    return article
