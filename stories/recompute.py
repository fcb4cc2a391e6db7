"""The bulk path behind `recompute_stories`: regroup articles batch by batch.

Same matching as the live path (services.assign_article), with the expensive parts done
once per batch: fingerprints are rewritten only for changed text, and each touched story
is refreshed (counts, lead, key points) once at the end of the batch.
"""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from articles.models import Article

from . import services
from .matching import find_match
from .models import ArticleFingerprint, Story, StoryMembership
from .text import Features


def reset() -> None:
    """Forget automatic groupings; editors' decisions (locked memberships) stay."""
    StoryMembership.objects.filter(locked=False).delete()
    Story.objects.filter(memberships__isnull=True).delete()


def ordered(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return (
        queryset.annotate(sort_at=Coalesce(F("published_at"), F("created_at")))
        .only(*services.FIELDS)
        .order_by("sort_at", "pk")
    )


def regroup(articles: list[Article]) -> None:
    ids = [a.pk for a in articles]
    stored = {f.article_id: f for f in ArticleFingerprint.objects.filter(article_id__in=ids)}
    # After reset() only locked memberships remain; a resumed or repeated run may find
    # others, which are matched again like an edited article.
    current = {
        m.article_id: m
        for m in StoryMembership.objects.filter(article_id__in=ids).select_related("story")
    }
    touched: set[int] = set()
    for article in articles:
        features = Features(title=article.title, summary=article.summary, body=article.body)
        old = stored.get(article.pk)
        text_hash = services._text_hash(article)
        if old is None or old.text_hash != text_hash or old.published_at != services._when(article):
            services.save_fingerprint(article, features)
        if old is None or old.text_hash != text_hash:
            services.save_article_points(article)
        membership = current.get(article.pk)
        if membership is not None:
            touched.add(membership.story_id)
            if membership.locked:
                continue
        match = find_match(article.pk, services._when(article), features)
        touched.add(services._join(article, match, membership).pk)
    services.refresh_stories(touched)
