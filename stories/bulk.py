"""A bulk path for large imports and benchmarks: fill the matching index without grouping.

`fill_index(articles)` stores the fingerprints, LSH band rows and key points of many
articles in a few queries, computed exactly as services.assign_article does, and gives
each article a story of its own. Run `recompute_stories` afterwards to group them for
real: it takes their text as already analysed (the fingerprint's text hash), so the key
points must be there already.
"""

from __future__ import annotations

from articles.models import Article

from . import services
from .models import Story, StoryMembership


def fill_index(articles: list[Article]) -> None:
    services.save_fingerprints([(a, services.features_of(a)) for a in articles])
    services.save_points({a.pk: services.article_points(a) for a in articles})
    stories = [Story(slug=f"bulk-{a.pk}", lead_id=a.pk, published_count=1) for a in articles]
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
