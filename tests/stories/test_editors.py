"""Editors' decisions (split, merge, pin, key point edits) survive recomputation."""

import pytest
from django.core.management import call_command

from stories import services
from stories.models import KeyPoint, Story, StoryMembership

from .conftest import CHESS, make

pytestmark = pytest.mark.django_db


def story_of(article):
    return StoryMembership.objects.get(article=article).story


def recompute():
    call_command("recompute_stories", "--restart", stdout=open("/dev/null", "w"))


def test_split_article_stays_apart_after_recompute(ferry_story):
    first, second, _ = ferry_story
    services.split_article(article=second)
    assert story_of(first) != story_of(second)
    recompute()
    assert story_of(first) != story_of(second)
    assert StoryMembership.objects.get(article=second).locked


def test_merged_stories_stay_merged_after_recompute(ferry_story):
    first, _, chess = ferry_story
    services.merge_stories(target=story_of(first), others=[story_of(chess)])
    assert story_of(chess) == story_of(first)
    assert story_of(first).published_count == 3
    recompute()
    assert story_of(chess) == story_of(first)


def test_pinned_lead_survives_recompute_and_new_reports(ferry_story):
    first, second, _ = ferry_story
    services.pin_lead(story=story_of(first), article=second)
    recompute()
    story = story_of(first)
    assert (story.lead_id, story.lead_pinned) == (second.pk, True)


def test_lead_must_belong_to_the_story(ferry_story):
    with pytest.raises(ValueError):
        services.pin_lead(story=story_of(ferry_story[0]), article=ferry_story[2])


def test_edited_and_hidden_key_points_survive_recompute(ferry_story):
    first = ferry_story[0]
    points = list(KeyPoint.objects.filter(article=first).order_by("position"))
    assert len(points) >= 2
    edited, hidden = points[0], points[1]
    edited.edited_text, edited.edited_by_editor = "Ferry crews stopped work.", True
    hidden.hidden, hidden.edited_by_editor = True, True
    edited.save()
    hidden.save()
    recompute()
    services.save_article_points(first)
    assert KeyPoint.objects.get(pk=edited.pk).text == "Ferry crews stopped work."
    assert KeyPoint.objects.get(pk=hidden.pk).hidden
    shown = [p.sentence for p in KeyPoint.objects.filter(article=first).shown()]
    assert hidden.sentence not in shown


def test_recompute_resumes_from_its_checkpoint(ferry_story, django_capture_on_commit_callbacks):
    from stories.models import RecomputeCheckpoint

    first, second, chess = ferry_story
    # A run that stopped after the first article: the checkpoint says where.
    RecomputeCheckpoint.objects.create(
        name="recompute_stories",
        last_published_at=first.published_at,
        last_article_id=first.pk,
        done=1,
    )
    call_command("recompute_stories", stdout=open("/dev/null", "w"))
    assert not RecomputeCheckpoint.objects.exists()
    assert story_of(first) == story_of(second)
    assert Story.objects.count() == 2
    assert chess.pk in StoryMembership.objects.values_list("article_id", flat=True)


def test_a_new_article_never_joins_through_locked_split(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = make(*CHESS, hours_ago=3)
        b = make(CHESS[0] + " in Carrow", CHESS[1], CHESS[2], hours_ago=2)
    services.split_article(article=b)
    services.assign_article(b.pk)
    assert story_of(a) != story_of(b)
