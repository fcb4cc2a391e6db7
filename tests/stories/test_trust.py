"""Trust in sources (issue 31, point 4): vetted or new sources, an editor's approval of one
article, claimed times against the time first seen, and the story re-checked."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from articles.models import Source
from stories import services, trust
from stories.models import KeyPoint, StoryMembership
from tests.factories import ArticleFactory, SourceFactory

from .conftest import FERRY, make

pytestmark = pytest.mark.django_db

# Enough prose after the first paragraph (four sentences or more, stories/keypoints.py):
# a report that has key points of its own.
LONG = [
    "Ferry crews at Port Callow stopped work at dawn over the new night shift rotas.",
    "The union says new rotas would have deckhands working four night shifts in a row.",
    "The operator, Saltmarsh Lines, called the stoppage premature and booked talks.",
    "Islanders were told to expect no crossings before Wednesday evening.",
    "A shop owner on the island said deliveries of bread had already stopped.",
    "The harbour master moved two fishing boats to make room for the idle ferries.",
]


def test_a_claimed_time_counts_unless_it_is_earlier_than_first_seen_beyond_the_tolerance(
    settings,
):
    settings.STORY_CLAIM_TOLERANCE_MINUTES = 30
    seen = timezone.now()
    early = seen - timedelta(minutes=51)
    assert trust.reported_time(early, seen, imported=True) == seen
    assert trust.reported_time(seen - timedelta(minutes=29), seen, imported=True) == (
        seen - timedelta(minutes=29)
    )
    assert trust.reported_time(seen + timedelta(minutes=5), seen, imported=True) == (
        seen + timedelta(minutes=5)
    )
    # An editor's own article keeps the time the editor gave it.
    assert trust.reported_time(early, seen, imported=False) == early
    settings.STORY_CLAIM_TOLERANCE_MINUTES = 60
    assert trust.reported_time(early, seen, imported=True) == early


def test_existing_sources_are_vetted_by_the_migration_new_ones_are_not():
    old = SourceFactory(vetted=False)
    migration = importlib.import_module("articles.migrations.0014_source_and_article_vetting")
    migration.vet_existing_sources(apps, None)
    old.refresh_from_db()
    assert old.vetted
    assert Source(name="Fresh", slug="fresh").vetted is False


def _story_of(article):
    return StoryMembership.objects.select_related("story").get(article=article).story


@pytest.fixture
def mixed_story(django_capture_on_commit_callbacks):
    """A new source's long report, earliest of all, and a vetted source's short one."""
    newcomer = SourceFactory(name="Quayside Dispatch", slug="quayside", vetted=False)
    with django_capture_on_commit_callbacks(execute=True):
        untrusted = make(FERRY[0][0], FERRY[0][1], LONG, hours_ago=4, source=newcomer)
        trusted = make(FERRY[0][0], FERRY[0][1], LONG[:1], hours_ago=2)
    story = _story_of(trusted)
    assert _story_of(untrusted) == story
    return story, untrusted, trusted


def _point_sources(story) -> set[int]:
    return set(KeyPoint.objects.filter(story=story).values_list("source_article_id", flat=True))


def test_a_new_sources_report_joins_but_neither_leads_nor_gives_key_points(client, mixed_story):
    story, untrusted, trusted = mixed_story
    assert story.lead_id == trusted.pk
    assert untrusted.pk not in _point_sources(story)
    page = client.get(story.get_absolute_url()).content.decode()
    assert f'First reported by <a href="{trusted.source.get_absolute_url()}">' in page


def test_vetting_the_source_rechecks_its_stories(
    client, editor, mixed_story, django_capture_on_commit_callbacks
):
    story, untrusted, trusted = mixed_story
    client.force_login(editor)
    source = untrusted.source
    change = reverse("admin:articles_source_change", args=[source.pk])
    assert 'name="vetted"' in client.get(change).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        source.vetted = True
        source.save()  # what the admin's form does; the task runs on commit
    story.refresh_from_db()
    assert story.lead_id == untrusted.pk  # the earliest report, now trusted
    assert untrusted.pk in _point_sources(story)
    with django_capture_on_commit_callbacks(execute=True):
        source.vetted = False
        source.save()
    story.refresh_from_db()
    assert story.lead_id == trusted.pk and untrusted.pk not in _point_sources(story)


def test_an_editor_approves_one_article_in_the_admin(
    client, editor, mixed_story, django_capture_on_commit_callbacks
):
    story, untrusted, trusted = mixed_story
    client.force_login(editor)
    form = client.get(reverse("admin:articles_article_change", args=[untrusted.pk]))
    assert 'name="vetted"' in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        untrusted.vetted = True
        untrusted.save()  # the admin's save: post_save regroups and re-checks the story
    story.refresh_from_db()
    assert story.lead_id == untrusted.pk
    assert untrusted.pk in _point_sources(story)


def test_an_editors_pinned_lead_wins_even_from_a_new_source(mixed_story):
    story, untrusted, trusted = mixed_story
    services.pin_lead(story=story, article=untrusted)
    services.refresh_story(story)
    story.refresh_from_db()
    assert story.lead_id == untrusted.pk and story.lead_pinned


def test_a_story_told_only_by_new_sources_has_a_lead_but_no_key_points(
    client, django_capture_on_commit_callbacks
):
    newcomer = SourceFactory(vetted=False)
    with django_capture_on_commit_callbacks(execute=True):
        article = make(*FERRY[0], source=newcomer)
    story = _story_of(article)
    assert story.lead_id == article.pk
    assert not KeyPoint.objects.filter(story=story).exists()
    assert KeyPoint.objects.filter(article=article).exists()  # its own page keeps its own


def test_first_report_prefers_trusted_then_the_earliest_reported(settings):
    settings.STORY_CLAIM_TOLERANCE_MINUTES = 30
    now = timezone.now()
    vetted = SourceFactory(vetted=True)
    newcomer = SourceFactory(vetted=False)
    honest = ArticleFactory(source=vetted, guid="a", published_at=now - timedelta(minutes=20))
    liar = ArticleFactory(source=vetted, guid="b", published_at=now - timedelta(hours=3))
    early_new = ArticleFactory(source=newcomer, published_at=now - timedelta(hours=5))
    # The liar's row was created now: first seen now, after the honest report's claim.
    assert trust.first_report([liar, early_new, honest]) == honest
    assert trust.lead_of(None, [liar, early_new, honest]) == honest
    assert trust.lead_of(early_new.pk, [liar, early_new, honest]) == early_new
    assert [a.pk for a in trust.in_report_order([liar, honest])] == [honest.pk, liar.pk]
