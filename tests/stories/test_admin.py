"""Editors work on stories in the admin: key point edits are marked, actions go to services."""

import pytest
from django.urls import reverse

from stories.models import KeyPoint, StoryMembership

pytestmark = pytest.mark.django_db


def test_editor_edits_and_hides_a_key_point(client, editor, ferry_story):
    point = KeyPoint.objects.filter(article=ferry_story[0]).first()
    client.force_login(editor)
    url = reverse("admin:stories_keypoint_change", args=[point.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"edited_text": "Crews stopped the ferry.", "hidden": "on"})
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.text, point.hidden, point.edited_by_editor) == (
        "Crews stopped the ferry.",
        True,
        True,
    )
    assert point.edited_by == editor


def test_editor_splits_an_article_out_from_the_admin(client, editor, ferry_story):
    membership = StoryMembership.objects.get(article=ferry_story[1])
    client.force_login(editor)
    response = client.post(
        reverse("admin:stories_storymembership_changelist"),
        {"action": "split_out", "_selected_action": [membership.pk]},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.locked and membership.reason == StoryMembership.Reason.SPLIT


def test_editor_merges_stories_from_the_admin(client, editor, ferry_story):
    first, _, chess = ferry_story
    stories = [StoryMembership.objects.get(article=a).story_id for a in (first, chess)]
    client.force_login(editor)
    client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "merge", "_selected_action": stories},
    )
    assert (
        StoryMembership.objects.get(article=chess).story_id
        == StoryMembership.objects.get(article=first).story_id
    )


def test_story_admin_page_shows_the_evidence(client, editor, ferry_story):
    story = StoryMembership.objects.get(article=ferry_story[0]).story
    client.force_login(editor)
    html = client.get(reverse("admin:stories_story_change", args=[story.pk])).content.decode()
    assert "TF-IDF cosine" in html
