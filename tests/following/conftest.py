"""Readers who follow things, and reports grouped into stories through the real path."""

from __future__ import annotations

import itertools
from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from following import services
from following.models import ReaderSettings
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


def briefing_reader(topic, zone: str = "UTC", *, at=time(7, 0), briefing=True, updates=False):
    """A reader following `topic` with their mail choices set, last mailed two days ago."""
    reader = factories.UserFactory()
    follow(reader, "topic", topic.slug)
    services.update_mail_settings(
        user=reader, briefing=briefing, briefing_time=at, time_zone=zone, story_updates=updates
    )
    # "Since the last briefing": two days ago, so today's reports are all new.
    ReaderSettings.objects.filter(user=reader).update(
        last_mail_at=timezone.now() - timedelta(days=2)
    )
    return reader


def queue_briefings(settings):
    """Tasks to the database backend and mail through the queue: the task rows the batches
    queue their mails in."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.EMAIL_BACKEND = "jobs.mail.QueuedEmailBackend"
    return DBTaskResult.objects.filter(task_path="following.delivery.deliver_briefings")


def smtp_sink(settings):
    """A real SMTP server on 127.0.0.1 that the delivery task sends to."""
    from tests.smtp import SmtpSink

    sink = SmtpSink()
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    return sink


def story_reader(article):
    """A reader of `article`'s story who takes story updates, last mailed a day ago."""
    reader = factories.UserFactory()
    follow(reader, "story", story_of(article).slug)
    services.update_mail_settings(
        user=reader, briefing=False, briefing_time=time(7), time_zone="UTC", story_updates=True
    )
    ReaderSettings.objects.filter(user=reader).update(
        last_mail_at=timezone.now() - timedelta(days=1)
    )
    return reader


@pytest.fixture
def topic(db):
    return factories.TopicFactory(name="Ferries", slug="ferries")
