"""A scheduled article going live refreshes its story (articles.signals.articles_went_live)."""

import re

import pytest
from django.utils import timezone

from articles.models import Article
from jobs.scheduler import tick
from stories.models import StoryMembership

from .conftest import FERRY, make

pytestmark = pytest.mark.django_db(transaction=True)


def coverage_link(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    link = re.search(r'<a class="coverage__link" href="[^"]+">([^<]+)</a>', html)
    return link.group(1) if link else None


def test_scheduled_report_going_live_counts_in_its_story(client, settings):
    settings.SCHEDULER_JOBS = {"articles.scheduling.refresh_pages_gone_live": 0}
    visible = make(*FERRY[0], hours_ago=3)
    scheduled = make(*FERRY[1], hours_ago=-1)  # goes live in an hour
    story = StoryMembership.objects.get(article=visible).story
    assert StoryMembership.objects.get(article=scheduled).story == story
    story.refresh_from_db()
    assert story.published_count == 1
    # Pages readers see before the time, cached for anonymous readers.
    assert coverage_link(client, visible) is None
    page = client.get(story.get_absolute_url()).content.decode()
    assert "1 article from 1 source" in page
    tick()  # the scheduler's previous tick, before the time

    # The hour passes: the stored time is now behind the clock, with no save (no signal).
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    tick()  # the next tick, past the time

    story.refresh_from_db()
    assert (story.published_count, story.source_count) == (2, 2)
    for article in (visible, scheduled):
        assert coverage_link(client, article) == "2 sources cover this story"
    page = client.get(story.get_absolute_url()).content.decode()
    assert "2 articles from 2 sources" in page
    assert scheduled.get_absolute_url() in page
