"""One story, once, on every list (issue 31): the hooks the articles app's lists call.

`one_per_story` (settings.ARTICLE_LIST_HOOK, contract in articles.selectors.one_per_story)
keeps one article per story of a list, in the database: an article is dropped when
another row of the same list, in the same story, is a better card for it. It adds a
correlated `NOT EXISTS` over StoryMembership (no window function, no DISTINCT ON: SQLite
and PostgreSQL alike), so the list still paginates, counts and slices, and the query
records `list:storymembership`: a regrouping makes the list stale (serving/dependencies.py).

`attach_coverage` (in settings.ARTICLE_CARD_HOOKS) sets each card's `more_coverage`, the
"and N other sources" line, in one query; it loads the cards' stories, so the page
follows their counts.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from articles.models import Article

from .models import StoryMembership


def _same_story_as(article_ids) -> QuerySet:
    """The ids of every article sharing a story with one of `article_ids` (a subquery)."""
    stories = StoryMembership.objects.filter(article_id__in=article_ids).values("story_id")
    return StoryMembership.objects.filter(story_id__in=stories).values("article_id")


def one_per_story(
    articles: QuerySet[Article],
    *,
    prefer: str = "lead",
    exclude_with: list[int] | tuple = (),
    group_of: int | None = None,
) -> QuerySet[Article]:
    """`prefer="latest"`: a story's newest report in the list; `"lead"`: the story's lead
    when it is in the list, else its newest report there."""
    if exclude_with:
        articles = articles.exclude(pk__in=exclude_with).exclude(
            pk__in=_same_story_as(exclude_with)
        )
    if group_of is not None:
        articles = articles.filter(Q(pk=group_of) | Q(pk__in=_same_story_as([group_of])))
    newer = Q(article__published_at__gt=OuterRef("published_at")) | Q(
        article__published_at=OuterRef("published_at"), article_id__gt=OuterRef("pk")
    )
    better = newer
    if prefer == "lead":
        better = Q(story__lead_id=F("article_id")) | (~Q(story__lead_id=OuterRef("pk")) & newer)
    # "In the list" as a correlated EXISTS by primary key: an uncorrelated `IN (the
    # list)` inside the correlated subquery was built again for every row on SQLite
    # (1.5 s CPU to count 10,000 articles; 1.5 ms this way).
    in_list = articles.order_by().filter(pk=OuterRef("article_id"))
    rivals = (
        StoryMembership.objects.filter(story__memberships__article_id=OuterRef("pk"))
        .exclude(article_id=OuterRef("pk"))
        .filter(better)
        .filter(Exists(in_list))
    )
    return articles.filter(~Exists(rivals))


def attach_coverage(articles: list[Article]) -> None:
    """`article.more_coverage = {"url", "sources", "reports", "slug"}` for each card whose story
    readers see in other reports too: one query for the whole list."""
    memberships = (
        StoryMembership.objects.filter(article_id__in=[a.pk for a in articles])
        .select_related("story")
        .only("article_id", "story__slug", "story__published_count", "story__source_count")
    )
    stories = {m.article_id: m.story for m in memberships}
    for article in articles:
        story = stories.get(article.pk)
        if story is None or story.published_count < 2:
            continue
        article.more_coverage = {
            "url": story.get_absolute_url(),
            "sources": max(0, story.source_count - 1),
            "reports": story.published_count - 1,
            "slug": story.slug,
        }
