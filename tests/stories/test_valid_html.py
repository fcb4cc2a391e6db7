"""The story and features pages pass the Nu HTML checker (as tests/serving checks the rest)."""

import pytest
from django.urls import reverse

from stories.models import StoryMembership
from tests.serving.test_valid_html import nu_errors

pytestmark = pytest.mark.django_db


def test_story_and_features_pages_have_no_nu_checker_errors(client, ferry_story, tmp_path):
    story = StoryMembership.objects.get(article=ferry_story[0]).story
    pages = {}
    for name, url in [
        ("story", story.get_absolute_url()),
        ("features", reverse("stories:features")),
        ("article-in-story", ferry_story[0].get_absolute_url()),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        pages[name] = response.content.decode()
    assert nu_errors(pages, tmp_path) == []
