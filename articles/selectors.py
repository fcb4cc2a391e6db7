"""Read helpers for the reader pages: each returns data already shaped for its template."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.module_loading import import_string

from serving import tags as tag_versions
from serving.dependencies import instance_tags
from serving.page_store import page_timeout

from .models import Article, Pin, Promo, Topic

RELATED_LIMIT = 6
SECTION_WINDOW = 400  # newest articles considered for the home page's topic sections


def decorate_cards(articles: Iterable[Article]) -> None:
    """Let other apps add what a card shows about them, one query per app for all cards.

    articles knows nothing of comments: the comments app registers
    `comments.selectors.attach_comment_counts` in settings.ARTICLE_CARD_HOOKS.
    """
    articles = [a for a in articles if a is not None]
    if not articles:
        return
    for path in getattr(settings, "ARTICLE_CARD_HOOKS", ()):
        import_string(path)(articles)


def one_per_story(
    articles: QuerySet[Article],
    *,
    prefer: str = "lead",
    exclude_with: Iterable[int] = (),
    group_of: int | None = None,
) -> QuerySet[Article]:
    """The list `articles` with one card per story (issue 31), still a lazy queryset: it
    paginates, counts and slices as before.

    settings.ARTICLE_LIST_HOOK names a callable with this signature (the stories app's
    `stories.lists.one_per_story`) that keeps, of each story's articles in the list, one:
    its newest (`prefer="latest"`) or the story's lead when it is in the list, else its
    newest (`prefer="lead"`); drops `exclude_with` and every article sharing a story with
    one of them; with `group_of`, keeps only that article's story. It only adds
    subqueries: never a query of its own. Without the hook an article is its own story.
    """
    hook = getattr(settings, "ARTICLE_LIST_HOOK", "")
    if hook:
        return import_string(hook)(
            articles, prefer=prefer, exclude_with=list(exclude_with), group_of=group_of
        )
    articles = articles.exclude(pk__in=list(exclude_with)) if exclude_with else articles
    return articles.filter(pk=group_of) if group_of is not None else articles


def home_lead(cards: list[Article]) -> tuple[Article | None, int | None]:
    """The home page's lead without a pin, and the id of the Latest card it replaces: the
    newest story with a picture (choose_lead), shown by its lead report when that one may
    lead too. One query when a card is chosen."""
    chosen = choose_lead(cards)
    if chosen is None:
        return None, None
    story_lead = one_per_story(
        Article.objects.published().for_cards(), prefer="lead", group_of=chosen.pk
    ).first()
    if story_lead is not None and choose_lead([story_lead]):
        return story_lead, chosen.pk
    return chosen, chosen.pk


def story_card_of(article: Article) -> int | None:
    """The id of the Latest card standing for `article`'s story (its newest report): the
    card a pinned home lead replaces. One query."""
    return (
        one_per_story(Article.objects.published(), prefer="latest", group_of=article.pk)
        .values_list("pk", flat=True)
        .first()
    )


def navigation_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(in_navigation=True).only("name", "slug")


def app_promo() -> Promo | None:
    return Promo.objects.running().filter(placement=Promo.Placement.APP_FOOTER).first()


def article_promo() -> Promo | None:
    return Promo.objects.running().filter(placement=Promo.Placement.ARTICLE).first()


def related_articles(article: Article, topic_ids: list[int]) -> list[Article]:
    """Up to six other published articles for the article page's "Related Articles",
    decorated as cards (`chosen_related`, then the card hooks)."""
    related = chosen_related(article, topic_ids)
    decorate_cards(related)
    return related


def chosen_related(article: Article, topic_ids: list[int]) -> list[Article]:
    """The related articles, not yet decorated: what the article page keeps apart from
    the cards' comment counts (articles.views._related).

    settings.ARTICLE_RELATED_HOOK may name a callable `(article, topic_ids) -> list` that
    ranks them instead (the stories app's `stories.related.related_articles`: by meaning,
    never another write-up of the same story). Without it: shared topics, then same
    source, then recency. Either way at most two queries.
    """
    hook = getattr(settings, "ARTICLE_RELATED_HOOK", "")
    if hook:
        return list(import_string(hook)(article, topic_ids))[:RELATED_LIMIT]
    base = Article.objects.published().exclude(pk=article.pk).for_cards()
    ranked = list(
        base.filter(Q(topics__in=topic_ids) | Q(source_id=article.source_id))
        .annotate(
            shared=Count("topics", filter=Q(topics__in=topic_ids), distinct=True),
            same_source=Case(
                When(source_id=article.source_id, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("-shared", "-same_source", "-published_at", "-id")[:RELATED_LIMIT]
    )
    seen = {a.pk for a in ranked}
    recent = [a for a in base[: RELATED_LIMIT * 2] if a.pk not in seen]
    return (ranked + recent)[:RELATED_LIMIT]


def topic_sections(
    topics: list[Topic], per_topic: int = 4, *, exclude: Iterable[int] = ()
) -> list[tuple[Topic, list[Article]]]:
    """The latest articles of each topic, each story once (by its lead, one_per_story):
    none of `exclude`'s stories (already on the page above), and an article in two topics
    only in the first of them, the next one filling its place.

    Two queries: the ranked (topic, article) pairs as plain tuples (a window over the
    topic links), then only the picked articles as cards. Loading every candidate as a
    card instead made several hundred model instances per home render, most of them
    thrown away: the home page renders again whenever what it shows changes.
    Only the newest SECTION_WINDOW published articles are ranked, so the query costs the
    same with a thousand articles or a hundred thousand.
    """
    if not topics:
        return []
    through = Article.topics.through
    # Each story once: by its lead, and none of the stories shown above.
    newest = (
        one_per_story(Article.objects.published(), prefer="lead", exclude_with=exclude)
        .order_by("-published_at", "-id")
        .values("pk")
    )
    # Earlier sections can take at most per_topic articles each from a later topic, so
    # this many candidates per topic always suffice.
    candidates = per_topic * len(topics)
    rows = (
        through.objects.filter(
            topic_id__in=[t.pk for t in topics],
            article_id__in=Subquery(newest[:SECTION_WINDOW]),
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("topic_id")],
                order_by=[F("article__published_at").desc(), F("article_id").desc()],
            )
        )
        .filter(rank__lte=candidates)
        .order_by("topic_id", "rank")
        .values_list("topic_id", "article_id")
    )
    grouped: dict[int, list[int]] = defaultdict(list)
    for topic_id, article_id in rows:
        grouped[topic_id].append(article_id)
    picks = []
    shown: set[int] = set()
    for topic in topics:
        picked = [pk for pk in grouped[topic.pk] if pk not in shown][:per_topic]
        shown.update(picked)
        if picked:
            picks.append((topic, picked))
    cards = Article.objects.for_cards().in_bulk(shown) if shown else {}
    return [(topic, [cards[pk] for pk in picked]) for topic, picked in picks]


ARTICLE_KEY_PREFIX = "article:v2:"


def article_by_slug(slug: str) -> Article | None:
    """The article (with source and agency) for its page, or None: one query per change
    of the article, its source or agency or its pictures, then from the cache (unknown
    slugs are looked up each time); whether it is visible yet is still decided per
    request (is_visible). The cached copy carries the versions of the rows it holds and
    records them into the page reading it (serving/dependencies.py)."""
    key = f"{ARTICLE_KEY_PREFIX}{hashlib.sha256(slug.encode()).hexdigest()}"
    fragments = caches["fragments"]  # checked against the versions: kept per process too
    kept = fragments.get(key)
    article = None
    if kept is not None and tag_versions.versions(kept[1]) == kept[1]:
        article = kept[0]  # unpickled: records its rows' tags
    if article is None:
        article = (
            Article.objects.select_related("source", "agency", "image", "social_image")
            .filter(slug=slug)
            .first()
        )
        # Made-up addresses are not remembered: they would push real fragments out of
        # each process's memory. A 404 costs its one query.
        if article is not None:
            found = tag_versions.versions(instance_tags(article))
            if None not in found.values():
                fragments.set(key, (article, found), timeout=page_timeout())
    return article


def next_scheduled_change():
    """The next moment something readers see changes by itself: a scheduled article
    appears, a promo or an editor's pin starts or ends (None if nothing is planned). The
    page cache's `PAGE_CACHE_NEXT_CHANGE` hook: one query (a UNION), on a cache miss only."""
    now = timezone.now()
    articles = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=now
    ).values_list("published_at")
    starts = Promo.objects.filter(is_active=True, starts_at__gt=now).values_list("starts_at")
    ends = Promo.objects.filter(is_active=True, ends_at__gt=now).values_list("ends_at")
    # A pin starting or ending changes the home page's lead or a topic's top.
    pin_starts = Pin.objects.filter(starts_at__gt=now).values_list("starts_at")
    pin_ends = Pin.objects.filter(ends_at__gt=now).values_list("ends_at")
    # No ORDER BY inside a UNION's parts (SQLite refuses it): drop the models' ordering.
    parts = [q.order_by() for q in (articles, starts, ends, pin_starts, pin_ends)]
    rows = list(parts[0].union(*parts[1:], all=True).order_by("published_at")[:1])
    return rows[0][0] if rows else None


def pinned_lead(now=None) -> Article | None:
    """The article an editor pinned as the home page's lead, if a pin is running.

    The pin is looked up on its own (a few rows, no joins) and its article read as a
    card only when there is one: the one-query form joined six tables for a pin that
    usually does not exist, and PostgreSQL spent 5 ms planning it on every home render."""
    now = now or timezone.now()
    article_id = (
        Pin.objects.current(now)
        .filter(topic__isnull=True, article__in=Article.objects.published(now))
        .order_by("-starts_at", "-id")
        .values_list("article_id", flat=True)
        .first()
    )
    if article_id is None:
        return None
    return Article.objects.for_cards().filter(pk=article_id).first()


def choose_lead(candidates: Iterable[Article]) -> Article | None:
    """The home lead without a pin: the newest article that has a picture or was written
    here. An imported article without an image never leads by itself."""
    for article in candidates:
        if article.renditions or not article.guid:
            return article
    return None


def topic_pins(topic: Topic, limit: int | None = None) -> list[Article]:
    """Published articles pinned to the top of a topic, in the editors' order."""
    limit = limit or settings.TOPIC_PIN_LIMIT
    now = timezone.now()
    # Conditions on the article through the join, not `article__in=published()`: that
    # subquery would make the topic's page depend on every article (serving/dependencies.py).
    pins = (
        Pin.objects.current(now)
        .filter(topic=topic, article__status=Article.Status.PUBLISHED)
        .filter(article__published_at__lte=now)
        .select_related("article__source", "article__agency", "article__image")
        .order_by("position", "-starts_at")[:limit]
    )
    return [p.article for p in pins]
