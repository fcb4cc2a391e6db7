"""Same-story grouping on the live path: evidence, withdrawals, corrections, the window."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from stories import matching, services
from stories.models import LshBand, Story, StoryMembership
from stories.text import Features

from .conftest import CHESS, FERRY, make

pytestmark = pytest.mark.django_db


def story_of(article):
    return StoryMembership.objects.get(article=article).story


def test_two_reports_of_one_event_share_a_story(ferry_story):
    first, second, chess = ferry_story
    assert story_of(first) == story_of(second)
    assert story_of(chess) != story_of(first)
    story = story_of(first)
    assert (story.published_count, story.source_count, story.lead_id) == (2, 2, first.pk)


def test_membership_explains_why_it_joined(ferry_story):
    membership = StoryMembership.objects.get(article=ferry_story[1])
    assert membership.reason == StoryMembership.Reason.SIMILAR
    assert membership.evidence["matched"] == ferry_story[0].pk
    assert membership.evidence["probability"] >= membership.evidence["needed"]
    assert membership.evidence["story_mean"] >= membership.evidence["mean_needed"]
    assert "ferri" in membership.evidence["shared_terms"] or "ferry" in str(
        membership.evidence["shared_terms"]
    )
    assert "TF-IDF cosine" in membership.explanation()


def test_identical_wire_copy_is_a_near_duplicate(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = make(*FERRY[1], hours_ago=3)
        copy = make(*FERRY[1], hours_ago=2)
    membership = StoryMembership.objects.get(article=copy)
    assert membership.story_id == story_of(first).pk
    assert membership.reason == StoryMembership.Reason.DUPLICATE
    assert membership.evidence["jaccard"] > 0.9


def test_reports_outside_the_window_start_a_new_story(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        old = make(*FERRY[0], hours_ago=24 * 5)
        new = make(*FERRY[1], hours_ago=1)
    assert story_of(old) != story_of(new)


def test_withdrawn_article_leaves_its_story(ferry_story, django_capture_on_commit_callbacks):
    first, second, _ = ferry_story
    with django_capture_on_commit_callbacks(execute=True):
        second.status = Article.Status.WITHDRAWN
        second.save()
    assert not StoryMembership.objects.filter(article=second).exists()
    assert not LshBand.objects.filter(article=second).exists()
    story = story_of(first)
    assert story.published_count == 1


def test_corrected_article_is_matched_again(ferry_story, django_capture_on_commit_callbacks):
    first, second, chess = ferry_story
    with django_capture_on_commit_callbacks(execute=True):
        second.title, second.summary = CHESS[0] + " again", CHESS[1]
        second.body = "".join(f"<p>{p}</p>" for p in CHESS[2])
        second.save()
    assert story_of(second) == story_of(chess)
    assert Story.objects.get(pk=story_of(first).pk).published_count == 1


def test_deleted_article_updates_its_story(ferry_story, django_capture_on_commit_callbacks):
    first, second, _ = ferry_story
    with django_capture_on_commit_callbacks(execute=True):
        second.delete()
    assert story_of(first).published_count == 1


def test_candidate_lookup_never_reads_the_article_table(ferry_story):
    first = ferry_story[0]
    features = Features(title=first.title, summary=first.summary, body=first.body)
    with CaptureQueriesContext(connection) as ctx:
        ids = matching.candidates(first.pk, first.published_at, features.keys)
    assert ferry_story[1].pk in ids
    assert len(ctx.captured_queries) == 1
    assert "articles_article" not in ctx.captured_queries[0]["sql"]


def test_assignment_is_idempotent(ferry_story):
    first, second, _ = ferry_story
    before = set(StoryMembership.objects.values_list("article_id", "story_id"))
    services.assign_article(second.pk)
    services.assign_article(first.pk)
    assert set(StoryMembership.objects.values_list("article_id", "story_id")) == before
