"""Readers who follow things, and reports grouped into stories through the real path."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from following import services
from following.targets import find
from stories import services as story_services
from stories.models import StoryMembership
from tests import factories

_n = itertools.count()


def _word(seed: int) -> str:
    """A made-up word of its own: no two reports share one, so the matcher never groups
    them by chance."""
    letters, seed = [], seed * 2654435761 % (26**7) + 26**6
    while seed:
        seed, digit = divmod(seed, 26)
        letters.append("abcdefghijklmnopqrstuvwxyz"[digit])
    return "".join(letters)


def report(*, hours_ago: float = 1, story_of=None, **kwargs):
    """A published article, grouped: into `story_of`'s story when given, else its own."""
    n = next(_n)
    words = " ".join(_word(n * 8 + i) for i in range(6))
    article = factories.ArticleFactory(
        title=kwargs.pop("title", f"Report {n}: {words}"),
        slug=f"report-{n}-{words.replace(' ', '-')}",
        summary=f"{words} {n}",
        body=f"<p>{words} {n} {n * 31}.</p>",
        published_at=timezone.now() - timedelta(hours=hours_ago),
        **kwargs,
    )
    # In a transactional test the article's own save has grouped it already (on commit).
    if story_of is not None:
        story = StoryMembership.objects.get(article=story_of).story
        before = StoryMembership.objects.filter(article=article).values_list("story_id", flat=True)
        left = list(before)
        StoryMembership.objects.update_or_create(
            article=article, defaults={"story": story, "reason": "similar"}
        )
        story_services.refresh_stories({story.pk, *left})
    else:
        if not StoryMembership.objects.filter(article=article).exists():
            story_services.assign_article(article.pk)
        # Its own, as said: the matcher can find two reports' made-up words alike, and the
        # words depend on how many reports the worker made before (the tests' order): a
        # page test failed once in a whole-suite run, passing alone.
        story = StoryMembership.objects.get(article=article).story
        if StoryMembership.objects.filter(story=story).exclude(article=article).exists():
            story_services.split_article(article=article)
    return article


def story_of(article):
    return StoryMembership.objects.select_related("story").get(article=article).story


def follow(user, kind: str, slug: str):
    target = find(kind, slug)
    assert target is not None, (kind, slug)
    return services.follow(user=user, target=target)


@pytest.fixture
def topic(db):
    return factories.TopicFactory(name="Ferries", slug="ferries")
