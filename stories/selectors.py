"""Reads for the story pages, the article page's tags and the features page."""

from __future__ import annotations

from articles.models import Article

from . import trust
from .models import KeyPoint, Story, StoryMembership


def story_articles(story: Story) -> list[Article]:
    """The story's visible articles, cards joined, in the order they count as reported
    (the timeline; each with `.reported_at`, stories/trust.py)."""
    return trust.in_report_order(
        Article.objects.published()
        .for_cards()
        .filter(story_membership__story=story)
        .order_by("published_at", "id")
    )


def story_points(story: Story, articles: list[Article] = ()) -> list[KeyPoint]:
    """The story's shown points; each gets `also`: those of `articles` (the story's
    visible ones, sources selected) that reported nearly the same sentence."""
    points = list(
        KeyPoint.objects.filter(story=story)
        .shown()
        .select_related("source_article__source")
        .only(
            "sentence",
            "edited_text",
            "position",
            "also_reported_by",
            "source_article__slug",
            "source_article__source__slug",
            "source_article__source__name",
        )
    )
    by_id = {a.pk: a for a in articles}
    for point in points:
        point.also = [by_id[i] for i in point.also_reported_by or [] if i in by_id]
    return points


def article_points(article: Article) -> list[KeyPoint]:
    if article.pk is None:  # unsaved: "article_id IS NULL" would be every story's points
        return []
    return list(
        KeyPoint.objects.filter(article_id=article.pk).shown().only("sentence", "edited_text")
    )


def coverage(article: Article) -> Story | None:
    """The article's story when readers can see at least two of its articles."""
    membership = (
        StoryMembership.objects.filter(article_id=article.pk, story__published_count__gte=2)
        .select_related("story")
        .only("story__slug", "story__published_count", "story__source_count")
        .first()
    )
    return membership.story if membership else None


def example_story() -> Story | None:
    """The most recently updated story with several sources, for the features page."""
    return (
        Story.objects.filter(published_count__gte=2, lead__isnull=False)
        .select_related("lead__source")
        .order_by("-source_count", "-updated_at")
        .first()
    )
