"""Story work run by the task worker (docs/tasks.md): grouping one article.

`assign_article` is enqueued when an article is saved (stories/signals.py) and is
idempotent, so a retry or a duplicate run changes nothing.
"""

from __future__ import annotations

from django_tasks import task


@task()
def assign_article(article_id: int) -> int | None:
    """Group one article into its story and refresh its key points; the story's id."""
    from .services import assign_article as assign

    story = assign(article_id)
    return story.pk if story else None
