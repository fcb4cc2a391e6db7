"""Reads of what readers follow: their follows, and the stories those bring.

`followed_articles(...)` is the one rule for "an article from something the reader
follows": the Following page, the briefing and the API all call it.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Max, Q, QuerySet

from articles.models import Article, Correction
from stories import trust
from stories.models import KeyPoint, Story, StoryMembership

from .models import Follow

PAGE_SIZE = 20


def follows_of(user) -> QuerySet[Follow]:
    """A reader's follows with their targets, newest first."""
    return Follow.objects.filter(user=user).select_related("topic", "source", "story__lead")


def _values(follows, kind: str, field: str):
    if isinstance(follows, QuerySet):
        return follows.filter(kind=kind).values(field)
    return [getattr(f, field) for f in follows if f.kind == kind]


def followed_articles(follows) -> QuerySet[Article]:
    """Published articles from what the follows name: a list of Follow rows, or a queryset
    of them (then it is a subquery of the one statement)."""
    sources = _values(follows, Follow.Kind.SOURCE, "source_id")
    # Topics and stories as id subqueries, not joins: joined, PostgreSQL looked every
    # recent article's topics and story up before the OR (131 ms a briefing over 10,000
    # articles); as subqueries each is hashed once (bench/briefing_bench.py).
    tagged = Article.topics.through.objects.filter(
        topic_id__in=_values(follows, Follow.Kind.TOPIC, "topic_id")
    )
    grouped = StoryMembership.objects.filter(
        story_id__in=_values(follows, Follow.Kind.STORY, "story_id")
    )
    condition = (
        Q(pk__in=tagged.values("article_id"))
        | Q(source_id__in=sources)
        | Q(agency_id__in=sources)
        | Q(byline_slug__in=_values(follows, Follow.Kind.AUTHOR, "author_slug"))
        | Q(pk__in=grouped.values("article_id"))
    )
    return Article.objects.published().filter(condition)


def story_page(follows, *, before: tuple[datetime, int] | None = None, size: int = PAGE_SIZE):
    """One page of (story id, its newest followed report's time), newest first, and
    whether there is more. `before` is the last row of the previous page (the cursor)."""
    rows = (
        StoryMembership.objects.filter(article__in=followed_articles(follows).values("pk"))
        .values("story_id")
        .annotate(latest=Max("article__published_at"))
        .order_by("-latest", "-story_id")
    )
    if before is not None:
        at, story_id = before
        rows = rows.filter(Q(latest__lt=at) | Q(latest=at, story_id__lt=story_id))
    found = list(rows[: size + 1])
    return found[:size], len(found) > size


def stories_by_id(ids: list[int]) -> dict[int, Story]:
    """The stories with their lead's card fields, one query (two when a lead is hidden:
    `with_visible_leads`)."""
    stories = Story.objects.filter(pk__in=ids, lead__isnull=False).select_related(
        "lead__source", "lead__agency", "lead__image"
    )
    return with_visible_leads({s.pk: s for s in stories.defer("lead__body", "lead__body_html")})


def with_visible_leads(found: dict[int, Story]) -> dict[int, Story]:
    """`found` (stories by id, their leads loaded) with each lead readers cannot see
    replaced by the one the story page shows, from the story's published reports (one
    query, only then): a trusted draft or scheduled report may lead its story
    (stories/trust.py). A story with no published report is left out."""
    hidden = [pk for pk, s in found.items() if s.lead is None or not s.lead.is_visible]
    if hidden:
        shown: dict[int, list[Article]] = {pk: [] for pk in hidden}
        for article in (
            Article.objects.published()
            .for_cards()
            .filter(story_membership__story_id__in=hidden)
            .annotate(story_key=F("story_membership__story_id"))
        ):
            shown[article.story_key].append(article)
        for pk, articles in shown.items():
            lead = trust.first_report(articles)
            if lead is None:
                del found[pk]
            else:
                found[pk].lead = lead
    return found


def stories_of_targets(targets, *, after: datetime, until: datetime):
    """(target, story id, its source count, published time) for each published report
    in (after, until] of each followed thing: a target is (kind, topic/source/story id or
    author slug), as `edition.target_of` makes them. One query per kind named."""
    keys: dict[str, set] = {}
    for kind, key in targets:
        keys.setdefault(kind, set()).add(key)
    articles = Article.objects.published(until).filter(published_at__gt=after)
    story = ("story_membership__story_id", "story_membership__story__source_count")
    found = []
    if topics := keys.get(Follow.Kind.TOPIC):
        tagged = Article.topics.through.objects.filter(
            topic_id__in=topics, article__in=articles.values("pk")
        ).values_list("topic_id", *(f"article__{f}" for f in (*story, "published_at")))
        found += [(("topic", t), s, c, at) for t, s, c, at in tagged if s is not None]
    if sources := keys.get(Follow.Kind.SOURCE):
        rows = articles.filter(Q(source_id__in=sources) | Q(agency_id__in=sources))
        for source, agency, s, c, at in rows.values_list(
            "source_id", "agency_id", *story, "published_at"
        ):
            found += [(("source", k), s, c, at) for k in {source, agency} & sources if s]
    if authors := keys.get(Follow.Kind.AUTHOR):
        rows = articles.filter(byline_slug__in=authors)
        found += [
            (("author", a), s, c, at)
            for a, s, c, at in rows.values_list("byline_slug", *story, "published_at")
            if s is not None
        ]
    if stories := keys.get(Follow.Kind.STORY):
        rows = articles.filter(story_membership__story_id__in=stories)
        found += [(("story", s), s, c, at) for s, c, at in rows.values_list(*story, "published_at")]
    return found


def key_points_of(story_ids: list[int]) -> dict[int, list[KeyPoint]]:
    """The stories' shown key points with their sources, in order, one query."""
    points: dict[int, list[KeyPoint]] = {}
    for point in (
        KeyPoint.objects.filter(story_id__in=story_ids)
        .shown()
        .select_related("source_article__source")
        .only(
            "story_id",
            "sentence",
            "edited_text",
            "position",
            "source_article__slug",
            "source_article__source__name",
        )
    ):
        points.setdefault(point.story_id, []).append(point)
    return points


def story_news(story_ids, *, after: datetime) -> dict[int, dict]:
    """Followed stories' news after `after`: new reports and corrections, by story id,
    oldest first. Two queries for any number of stories (a batch's readers')."""
    found: dict[int, dict] = {}
    if not story_ids:
        return found

    def entry(article: Article) -> dict:
        story = article.story_membership.story
        return found.setdefault(story.pk, {"story": story, "reports": [], "corrections": []})

    reports = (
        Article.objects.published()
        .filter(story_membership__story_id__in=story_ids, published_at__gt=after)
        .select_related("source", "story_membership__story__lead")
        .only(
            "title",
            "slug",
            "published_at",
            "source__name",
            "story_membership__story__slug",
            "story_membership__story__source_count",
            "story_membership__story__lead__title",
            "story_membership__story__lead__status",
            "story_membership__story__lead__published_at",
        )
        .order_by("published_at", "id")
    )
    for article in reports:
        entry(article)["reports"].append(article)
    corrections = (
        Correction.objects.filter(
            article__in=Article.objects.published()
            .filter(story_membership__story_id__in=story_ids)
            .values("pk"),
            published_at__gt=after,
        )
        .select_related("article__source", "article__story_membership__story__lead")
        .order_by("published_at", "id")
    )
    for correction in corrections:
        entry(correction.article)["corrections"].append(correction)
    # Named as the story page names them (a lead readers cannot see is replaced).
    stories = with_visible_leads({pk: news["story"] for pk, news in found.items()})
    return {pk: news for pk, news in found.items() if pk in stories}


def news_since(news: dict[int, dict], follows, since: datetime) -> list[dict]:
    """One reader's part of `story_news`: the stories they follow, what came after
    `since`; each story once, however much happened (the updates are batched)."""
    updates = []
    for follow in follows:
        found = news.get(follow.story_id) if follow.kind == Follow.Kind.STORY else None
        if found is None:
            continue
        reports = [a for a in found["reports"] if a.published_at > since]
        corrections = [c for c in found["corrections"] if c.published_at > since]
        if reports or corrections:
            updates.append({**found, "reports": reports, "corrections": corrections})
    return updates
