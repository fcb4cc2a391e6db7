"""The bulk path behind `recompute_stories`: regroup articles batch by batch.

Same matching as the live path (services.assign_article), with the expensive parts done
once per batch: fingerprints and key points are computed only for changed text (in
worker processes with `--jobs`) and written in bulk, a batch's index rows before its
articles are matched, and each touched story is refreshed (counts, lead, key points)
once at the end of the batch. Matching itself is sequential, in publication order.
"""

from __future__ import annotations

import builtins
from multiprocessing.pool import Pool

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from articles.models import Article
from serving.tags import bumps_together

from . import keypoints, services
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


def analyse(text: tuple[str, str, str]) -> tuple[Features, list[tuple[int, str]]]:
    """An article's matching features and key points: pure CPU, run in worker processes
    with --jobs."""
    title, summary, body = text
    features = Features(title=title, summary=summary, body=body)
    return features, keypoints.article_points(title, summary, body)


def regroup(articles: list[Article], pool: Pool | None = None) -> None:
    """Match a batch of articles in publication order; its writes bump their cache tags
    once, together, at the end."""
    with bumps_together():
        _regroup(articles, pool)


def _regroup(articles: list[Article], pool: Pool | None) -> None:
    ids = [a.pk for a in articles]
    stored = {f.article_id: f for f in ArticleFingerprint.objects.filter(article_id__in=ids)}
    # After reset() only locked memberships remain; a resumed or repeated run may find
    # others, which are matched again like an edited article.
    current = {
        m.article_id: m
        for m in StoryMembership.objects.filter(article_id__in=ids).select_related("story")
    }

    def changed(article, moved=False):
        old = stored.get(article.pk)
        return (
            old is None
            or old.text_hash != services._text_hash(article)
            or (moved and old.published_at != services._when(article))
        )

    # Features and key points of changed text (in worker processes with --jobs), then the
    # batch's index rows and points in a few bulk queries.
    new_text = [a for a in articles if changed(a)]
    texts = [(a.title, a.summary, a.body) for a in new_text]
    results = list((pool or builtins).map(analyse, texts))
    analysed = dict(zip([a.pk for a in new_text], results, strict=True))
    features = {pk: f for pk, (f, _) in analysed.items()}
    for article in articles:
        if article.pk not in features:
            features[article.pk] = services.features_of(article)
    services.save_fingerprints([(a, features[a.pk]) for a in articles if changed(a, moved=True)])
    services.save_points({pk: points for pk, (_, points) in analysed.items()})
    # Grouping stays sequential, in publication order, as articles arrived.
    touched: set[int] = set()
    for article in articles:
        membership = current.get(article.pk)
        if membership is not None:
            touched.add(membership.story_id)
            if membership.locked:
                continue
        match = find_match(article.pk, services._when(article), features[article.pk])
        touched.add(services._join(article, match, membership).pk)
    services.refresh_stories(touched)
