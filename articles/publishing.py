"""Article writes that keep history: every change is a revision that can be restored."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from serving.dependencies import instance_tag
from serving.tags import bump_tags

from .models import Article, ArticleRevision, Correction, Image

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
    "social_title",
    "social_description",
)
# Library pictures, by id: a restore uses them only if they are still in the library.
SNAPSHOT_IMAGES = ("image_id", "social_image_id")


def snapshot(article: Article) -> dict:
    data = {name: getattr(article, name) for name in SNAPSHOT_FIELDS}
    data["lead_image"] = article.lead_image.name or ""
    for name in SNAPSHOT_IMAGES:
        data[name] = getattr(article, name)
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


def can_publish(user) -> bool:
    """Anyone who may change articles publishes, unless the site requires review
    (REQUIRE_REVIEW): then only holders of articles.publish_article do."""
    return not settings.REQUIRE_REVIEW or bool(user and user.has_perm("articles.publish_article"))


def note_reviewer(*, article: Article, user) -> None:
    """Under REQUIRE_REVIEW, the one who publishes is the reviewer on record."""
    if settings.REQUIRE_REVIEW and getattr(user, "pk", None):
        article.reviewed_by = user


@transaction.atomic
def publish(*, article: Article, author, when: datetime) -> Article:
    """Publish now (`when` in the past) or schedule (`when` in the future)."""
    if not can_publish(author):
        raise PermissionDenied("Only editors who may publish can do this; send it for review.")
    note_reviewer(article=article, user=author)
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
def withdraw(*, article: Article, author) -> Article:
    """Take the article off the site for good; feed ingestion never brings a withdrawn
    article back (ingest/importer.py leaves it alone), so this also rejects a draft."""
    article.status = Article.Status.WITHDRAWN
    article.save()
    record(article=article, author=author, changed_fields=["status"])
    return article


@transaction.atomic
def correct(
    *, article: Article, author, text: str, kind: str = Correction.Kind.CORRECTION
) -> Correction:
    """Publish a correction (or an update) at the foot of the article, dated now.

    What follows, and why nothing else is needed: the article page lists it (the
    Correction row's own tags, serving/dependencies.py); the article is modified now, so
    its `dateModified` and `article:modified_time`, its feeds' `<updated>` and the
    sitemaps' `<lastmod>` say so (`updated_at`: bookkeeping for every other write, so
    the article's own tag is bumped here for the pages and feeds printing it, not the
    lists it is on); readers following its story find it in their next story update
    (following.selectors.story_updates reads the corrections dated since their last mail,
    which is why a correction is dated when it is made, never earlier)."""
    if not (author and author.has_perm("articles.change_article")):
        raise PermissionDenied("Only editors can publish a correction.")
    text = (text or "").strip()
    if not text:
        raise ValueError("A correction needs its text.")
    if kind not in Correction.Kind.values:
        raise ValueError(f"Not a kind of correction: {kind!r}.")
    now = timezone.now()
    correction = Correction.objects.create(article=article, kind=kind, text=text, published_at=now)
    Article.objects.filter(pk=article.pk).update(updated_at=now)
    article.updated_at = now
    bump_tags({instance_tag(article)})
    return correction


@transaction.atomic
def restore(*, revision: ArticleRevision, author, notes: list[str] | None = None) -> Article:
    """Put the article back as it was in `revision`; the restore is itself a revision.

    A restore is an edit like any other: it never publishes for someone who may not
    (REQUIRE_REVIEW: a published version comes back "Ready for review"), and it never
    takes another article's address (the current slug stays). Each such change is
    appended to `notes`, for the editor."""
    notes = [] if notes is None else notes
    article = revision.article
    was_published = article.status == Article.Status.PUBLISHED
    current_slug = article.slug
    data = revision.snapshot
    for name in SNAPSHOT_FIELDS:
        if name in data:
            setattr(article, name, data[name])
    if article.slug != current_slug and (
        Article.objects.filter(slug=article.slug).exclude(pk=article.pk).exists()
    ):
        notes.append(
            f"The address “{article.slug}” now belongs to another article: "
            f"this one keeps “{current_slug}”."
        )
        article.slug = current_slug
    if article.status == Article.Status.PUBLISHED and not was_published and not can_publish(author):
        article.status = Article.Status.REVIEW
        notes.append(
            "That version was published, but this site asks for a review before "
            "publishing: the article is “Ready for review” for an editor who may publish."
        )
    article.lead_image.name = data.get("lead_image") or ""
    wanted = {data.get(name) for name in SNAPSHOT_IMAGES} - {None}
    existing = set(Image.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    for name in SNAPSHOT_IMAGES:
        setattr(article, name, data.get(name) if data.get(name) in existing else None)
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
