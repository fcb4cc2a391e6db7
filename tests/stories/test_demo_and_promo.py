"""The demo tells stories from several sources, and the promo advertises what exists."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.models import Promo
from stories.models import Story

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("demo_renditions_at_one_width")
def test_demo_has_two_stories_told_by_several_sources_and_a_true_promo(
    client, django_capture_on_commit_callbacks, settings
):
    settings.APP_STORE_URL = settings.PLAY_STORE_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
    covered = Story.objects.filter(source_count__gte=2)
    assert covered.count() >= 2
    promo = Promo.objects.get(placement=Promo.Placement.ARTICLE)
    assert promo.title == "Try our AI features"
    assert promo.link_url.endswith(reverse("stories:features"))
    story = covered.first()
    html = client.get(story.lead.get_absolute_url()).content.decode()
    assert "Try our AI features" in html and reverse("stories:features") in html
    assert "example.org" not in html
    assert "store-badge" not in html  # no store links configured: no badges


def test_store_badges_link_to_the_configured_addresses(client, settings):
    from tests.factories import ArticleFactory, PromoFactory

    settings.APP_STORE_URL = "https://apps.apple.com/app/id000000001"
    settings.PLAY_STORE_URL = ""
    PromoFactory(placement=Promo.Placement.APP_FOOTER, title="Download the app")
    html = client.get(ArticleFactory().get_absolute_url()).content.decode()
    assert 'href="https://apps.apple.com/app/id000000001"' in html
    assert "Get it on Google Play" not in html


@pytest.mark.usefixtures("demo_renditions_at_one_width")
def test_demo_key_points_add_something(django_capture_on_commit_callbacks):
    """On the demo (the Gull Reef rescue told by several sources): no article point
    repeats its article's summary or first paragraph, no two points of a story are
    near-duplicates."""
    from itertools import combinations

    from articles.models import Article
    from stories import keypoints
    from stories.models import KeyPoint

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
    near = keypoints.DUPLICATE_JACCARD
    points = list(KeyPoint.objects.filter(story=None).values_list("article_id", "sentence"))
    assert points
    articles = Article.objects.in_bulk({a for a, _ in points})
    for article_id, sentence in points:
        article = articles[article_id]
        lead, _ = keypoints.lead_and_body(article.summary, article.body)
        assert all(keypoints.token_jaccard(sentence, s) < near for s in lead), sentence
    with_points = 0
    for story in Story.objects.filter(source_count__gte=2):
        found = list(KeyPoint.objects.filter(story=story).values_list("sentence", flat=True))
        with_points += bool(found)
        for a, b in combinations(found, 2):
            assert keypoints.token_jaccard(a, b) < near, (a, b)
    assert with_points  # stories of short reports only have nothing to add: none
