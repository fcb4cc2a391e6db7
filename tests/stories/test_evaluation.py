"""Grouping quality on the labelled set: the targets of docs/stories.md hold in the tests."""

import pytest
from django.utils import timezone

from stories import evaluation
from stories.models import StoryMembership


@pytest.mark.django_db
def test_labelled_set_meets_precision_and_recall_targets(django_capture_on_commit_callbacks):
    t0 = timezone.now() - timezone.timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        labels = evaluation.load(t0)
    predicted = dict(StoryMembership.objects.values_list("article_id", "story_id"))
    scores = evaluation.pairwise(labels, predicted)
    print(scores)
    assert scores["precision"] >= 0.95
    assert scores["recall"] >= 0.85


def test_labelled_set_is_large_and_varied():
    items = evaluation.items()
    assert len(items) >= 60
    assert len({i.event for i in items}) >= 15
    assert len({i.source for i in items}) >= 5
