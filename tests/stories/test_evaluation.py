"""Grouping quality on the labelled sets, held at what the blend measures (docs/stories.md).

Issue 31's targets (precision >= 0.97 and recall >= 0.92 on each set) are not all met:
the tuning sets (stories/eval_set.txt, stories/eval_tuning2.txt) are held at precision
0.95 and recall 0.85; the first held-out set (stories/eval_heldout.txt) at its precision
only (its recall is 0.843); the second held-out set (stories/eval_heldout2.txt: precision
0.806, recall 0.595) and the third (stories/eval_heldout3.txt: precision 0.735, recall
0.568) at a floor under their measured precision, so that a change which merges more of
their distractors fails here.
"""

import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from stories import evaluation
from stories.models import ArticleFingerprint, KeyPoint, StoryMembership
from tests.stories.conftest import FERRY, make


def scores_of(path, capture, labels=None) -> dict:
    if labels is None:
        with capture(execute=True):
            labels = evaluation.load(timezone.now() - timezone.timedelta(days=5), path=path)
    predicted = dict(StoryMembership.objects.values_list("article_id", "story_id"))
    scores = {**evaluation.pairwise(labels, predicted), "labels": labels}
    print({k: v for k, v in scores.items() if k != "labels"})
    return scores


@pytest.mark.django_db
def test_labelled_set_meets_precision_and_recall_targets(django_capture_on_commit_callbacks):
    scores = scores_of(evaluation.DATA, django_capture_on_commit_callbacks)
    assert scores["precision"] >= 0.95
    assert scores["recall"] >= 0.85


@pytest.mark.django_db
def test_heldout_set_meets_the_precision_target(django_capture_on_commit_callbacks):
    scores = scores_of(evaluation.HELDOUT, django_capture_on_commit_callbacks)
    assert scores["precision"] >= 0.95
    assert scores["tp"] > 0  # stories of several articles were formed at all


@pytest.mark.django_db
def test_second_tuning_set_meets_precision_and_recall(django_capture_on_commit_callbacks):
    scores = scores_of(evaluation.TUNING2, django_capture_on_commit_callbacks)
    assert scores["precision"] >= 0.95
    assert scores["recall"] >= 0.85


@pytest.mark.django_db
def test_second_heldout_set_keeps_its_measured_precision(django_capture_on_commit_callbacks):
    scores = scores_of(evaluation.HELDOUT2, django_capture_on_commit_callbacks)
    assert scores["precision"] >= 0.95  # blend 4 measured 1.000 (blend 2: 0.806)
    assert scores["tp"] > 0


@pytest.mark.django_db
def test_third_heldout_set_keeps_its_measured_precision(django_capture_on_commit_callbacks):
    scores = scores_of(evaluation.HELDOUT3, django_capture_on_commit_callbacks)
    assert scores["precision"] >= 0.85  # blend 4 measured 0.897; the target, 0.97, is not met
    assert scores["tp"] > 0


# Each later held-out set at a floor under what the shipped blend (blend 4) measured on
# it, so a change that merges more of its distractors fails; the targets are not met.
FLOORS = {
    "fourth": (evaluation.HELDOUT4, 0.95),  # measured 1.000, recall 0.771
    "fifth": (evaluation.HELDOUT5, 0.75),  # 0.762, recall 0.381 (16 true pairs, 5 false)
    "sixth": (evaluation.HELDOUT6, 0.65),  # 0.667, recall 0.400 (16 true pairs, 8 false)
    "seventh": (evaluation.HELDOUT7, 0.95),  # 1.000, recall 0.302 (13 true pairs, 0 false)
    "eighth": (evaluation.HELDOUT8, 0.85),  # 0.889, recall 0.471 (24 true pairs, 3 false)
    "ninth": (evaluation.HELDOUT9, 0.6),  # 0.619, recall 0.295 (13 true pairs, 8 false)
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", FLOORS)
def test_later_heldout_sets_keep_their_measured_precision(name, django_capture_on_commit_callbacks):
    path, floor = FLOORS[name]
    scores = scores_of(path, django_capture_on_commit_callbacks)
    assert scores["precision"] >= floor
    assert scores["tp"] > 0


@pytest.mark.parametrize(
    "path, size, events",
    [
        (evaluation.HELDOUT, 36, 10),
        (evaluation.HELDOUT2, 40, 12),
        (evaluation.HELDOUT3, 40, 12),
        (evaluation.HELDOUT4, 40, 12),
        (evaluation.HELDOUT5, 40, 12),
        (evaluation.HELDOUT6, 40, 12),
        (evaluation.HELDOUT7, 40, 12),
        (evaluation.HELDOUT8, 40, 12),
        (evaluation.HELDOUT9, 40, 12),
    ],
)
def test_heldout_sets_are_separate_from_the_tuning_sets(path, size, events):
    heldout = evaluation.items(path)
    tuning = [
        i
        for p in (*evaluation.TUNING, evaluation.TUNING3, evaluation.TUNING4)
        for i in evaluation.items(p)
    ]
    assert len(heldout) >= size
    assert len({i.event for i in heldout}) >= events
    assert not {i.event for i in heldout} & {i.event for i in tuning}
    assert not {(i.title, i.summary) for i in heldout} & {(i.title, i.summary) for i in tuning}
    assert {i.source for i in heldout} <= {i.source for i in tuning}


def test_the_heldout_sets_share_no_event():
    sets = [
        {i.event for i in evaluation.items(p)}
        for p in (
            evaluation.HELDOUT,
            evaluation.HELDOUT2,
            evaluation.HELDOUT3,
            evaluation.HELDOUT4,
            evaluation.HELDOUT5,
            evaluation.HELDOUT6,
            evaluation.HELDOUT7,
            evaluation.HELDOUT8,
            evaluation.HELDOUT9,
        )
    ]
    for n, events in enumerate(sets):
        for other in sets[n + 1 :]:
            assert not events & other


def test_labelled_set_is_large_and_varied():
    items = evaluation.items()
    assert len(items) >= 60
    assert len({i.event for i in items}) >= 15
    assert len({i.source for i in items}) >= 5


@pytest.mark.django_db(transaction=True)
def test_recompute_in_worker_processes_groups_the_labelled_set_as_well(
    django_capture_on_commit_callbacks,
):
    live = scores_of(evaluation.DATA, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):  # long enough for key points
        long = make(*FERRY[0], hours_ago=24 * 30)
    live["labels"][long.pk] = "long"
    points = set(KeyPoint.objects.filter(story=None).values_list("article_id", "sentence"))
    # A first run: no fingerprints, no key points; the workers compute them again.
    ArticleFingerprint.objects.all().delete()
    KeyPoint.objects.all().delete()
    call_command("recompute_stories", "--restart", "--jobs", "2", stdout=open(os.devnull, "w"))
    again = scores_of(evaluation.DATA, django_capture_on_commit_callbacks, live["labels"])
    assert again["precision"] >= 0.95
    # Batches store their fingerprints before matching, so the window's IDF also counts a
    # batch's later articles: a pair or two may differ from the live path.
    assert again["recall"] >= live["recall"] - 0.03
    assert ArticleFingerprint.objects.count() == len(live["labels"])
    assert (
        points
        and set(KeyPoint.objects.filter(story=None).values_list("article_id", "sentence")) == points
    )
