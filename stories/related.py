"""Related by meaning: the hook named by settings.ARTICLE_RELATED_HOOK.

Candidates are articles sharing LSH band keys with this one over the last
STORY_RELATED_DAYS, plus the newest articles of its topics and the newest overall (so a
page always has six cards). They are ranked by TF-IDF cosine of title and summary,
blended with shared topics and recency; no article of the same story is ever listed, and
only the best ranked report of any other story.

Two queries: the band-key candidates, then the cards. The article page keeps the result
in its cached fragment, so a cache hit runs none.
"""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db.models import Count, F, Q, Subquery
from django.utils import timezone

from articles.models import Article

from .models import LshBand, StoryMembership
from .vectors import tfidf

LIMIT = 6
WEIGHTS = {"meaning": 0.6, "topics": 0.25, "recency": 0.15}


def _same_story_ids(article_id: int):
    story = StoryMembership.objects.filter(article_id=article_id).values("story_id")[:1]
    return StoryMembership.objects.filter(story_id=Subquery(story)).values("article_id")


def related_articles(article: Article, topic_ids: list[int], limit: int = LIMIT) -> list[Article]:
    now = timezone.now()
    when = article.published_at or now
    days = settings.STORY_RELATED_DAYS
    keys = LshBand.objects.filter(article_id=article.pk).values("key")
    same_story = _same_story_ids(article.pk)
    matched = list(
        LshBand.objects.filter(key__in=keys, published_at__gte=when - timedelta(days=days))
        .exclude(article_id=article.pk)
        .exclude(article_id__in=same_story)
        .values("article_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "-article_id")
        .values_list("article_id", flat=True)[: limit * 8]
    )
    published = Article.objects.published(now)
    by_topic = published.filter(topics__in=topic_ids).order_by("-published_at").values("pk")
    newest = published.order_by("-published_at").values("pk")
    cards = list(
        published.for_cards()
        .filter(
            Q(pk__in=matched)
            | Q(pk__in=Subquery(by_topic[: limit * 2]))
            | Q(pk__in=Subquery(newest[: limit * 2]))
        )
        .exclude(pk=article.pk)
        .exclude(pk__in=same_story)
        .annotate(
            shared_topics=Count("topics", filter=Q(topics__in=topic_ids), distinct=True),
            story_id=F("story_membership__story_id"),
        )
    )
    if not cards:
        return []
    return _one_per_story(rank(article, cards, topic_ids))[:limit]


def _one_per_story(cards: list[Article]) -> list[Article]:
    """The best ranked report of each story: never two of one story (issue 31)."""
    seen, kept = set(), []
    for card in cards:
        if card.story_id is None or card.story_id not in seen:
            kept.append(card)
            seen.add(card.story_id)
    return kept


def rank(article: Article, cards: list[Article], topic_ids: list[int]) -> list[Article]:
    """Closest first: meaning (TF-IDF cosine), then shared topics and recency."""
    texts = [f"{article.title} {article.summary}"] + [f"{a.title} {a.summary}" for a in cards]
    try:
        vectors = tfidf(texts, sublinear=True)
        cosines = vectors[1:] @ vectors[0]
    except ValueError:  # nothing but stop words
        cosines = np.zeros(len(cards))
    when = article.published_at or timezone.now()
    scored = []
    for card, cosine in zip(cards, cosines, strict=True):
        age_days = abs((when - card.published_at).total_seconds()) / 86400
        score = (
            WEIGHTS["meaning"] * float(cosine)
            + WEIGHTS["topics"] * card.shared_topics / max(1, len(topic_ids))
            + WEIGHTS["recency"] * math.exp(-age_days / 7)
        )
        scored.append((score, card.published_at, card.pk, card))
    scored.sort(key=lambda s: (s[0], s[1], s[2]), reverse=True)
    return [s[3] for s in scored]
