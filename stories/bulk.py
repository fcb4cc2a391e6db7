"""A bulk path for large imports and benchmarks: fill the matching index without grouping.

`fill_index(articles)` stores the fingerprints and LSH band rows of many articles in a few
queries, computed exactly as services.assign_article does, and gives each article a story
of its own. Run `recompute_stories` afterwards to group them for real.
"""

from __future__ import annotations

from articles.models import Article

from . import services
from .models import ArticleFingerprint, LshBand, Story, StoryMembership
from .text import Features


def fill_index(articles: list[Article]) -> None:
    fingerprints, bands, stories = [], [], []
    for article in articles:
        features = Features(title=article.title, summary=article.summary, body=article.body)
        when = services._when(article)
        fingerprints.append(
            ArticleFingerprint(
                article_id=article.pk,
                published_at=when,
                dup_signature=features.dup_signature.tobytes(),
                terms=features.terms_text,
                text_hash=services._text_hash(article),
            )
        )
        bands += [
            LshBand(article_id=article.pk, key=k, published_at=when) for k in set(features.keys)
        ]
        stories.append(Story(slug=f"bulk-{article.pk}", lead_id=article.pk, published_count=1))
    ArticleFingerprint.objects.bulk_create(fingerprints, batch_size=1000)
    LshBand.objects.bulk_create(bands, batch_size=5000)
    Story.objects.bulk_create(stories, batch_size=1000)
    by_slug = dict(
        Story.objects.filter(slug__in=[s.slug for s in stories]).values_list("slug", "pk")
    )
    StoryMembership.objects.bulk_create(
        (
            StoryMembership(
                article_id=a.pk,
                story_id=by_slug[f"bulk-{a.pk}"],
                reason=StoryMembership.Reason.FIRST,
            )
            for a in articles
        ),
        batch_size=1000,
    )
