"""Story work run by the task worker (docs/tasks.md): grouping one article.

`assign_article` is enqueued when an article is saved (stories/signals.py),
`refresh_article_stories` when scheduled articles go live, `refresh_source_stories` when
an editor vets a source; all are idempotent, so a retry or a duplicate run changes nothing.
"""

from __future__ import annotations

from django_tasks import task


@task()
def assign_article(article_id: int) -> int | None:
    """Group one article into its story and refresh its key points; the story's id."""
    from .services import assign_article as assign

    story = assign(article_id)
    return story.pk if story else None


@task()
def refresh_article_stories(article_ids: list[int]) -> list[int]:
    """Refresh the stories of these articles (counts, lead, key points); their ids."""
    from django.db import transaction

    from .models import StoryMembership
    from .services import refresh_stories

    story_ids = sorted(
        set(
            StoryMembership.objects.filter(article_id__in=article_ids).values_list(
                "story_id", flat=True
            )
        )
    )
    with transaction.atomic():
        refresh_stories(story_ids)
    return story_ids


@task()
def refresh_source_stories(source_id: int) -> int:
    """Refresh every story with an article of this source (it was vetted, or no longer
    is: leads, first reports and key points follow, stories/trust.py); how many."""
    from django.db import transaction

    from .models import StoryMembership
    from .services import refresh_stories

    story_ids = set(
        StoryMembership.objects.filter(article__source_id=source_id).values_list(
            "story_id", flat=True
        )
    )
    with transaction.atomic():
        refresh_stories(story_ids)
    return len(story_ids)
