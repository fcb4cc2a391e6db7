"""The demo tells stories from several sources, and the promo advertises what exists."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import reverse

from articles.models import Promo
from stories.models import Story

pytestmark = pytest.mark.django_db


def test_store_badges_link_to_the_configured_addresses(client, settings):
    from tests.factories import ArticleFactory, PromoFactory

    settings.APP_STORE_URL = "https://apps.apple.com/app/id000000001"
    settings.PLAY_STORE_URL = ""
    PromoFactory(placement=Promo.Placement.APP_FOOTER, title="Download the app")
    html = client.get(ArticleFactory().get_absolute_url()).content.decode()
    assert 'href="https://apps.apple.com/app/id000000001"' in html
    assert "Get it on Google Play" not in html


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once for the tests below that only read it (a seeding with its
    stories and key points is most of each test's time): in a transaction rolled back
    after the module, each test's own transaction a savepoint inside it. Seeded as each
    test seeded it before (module fixtures come before the function-scoped autouse ones of
    tests/conftest.py, so their settings are repeated here): its own media folder,
    renditions at one width (`demo_renditions_at_one_width`), the plain static storage,
    tasks run at once, empty caches, and what runs on commit run."""
    from django.core.cache import cache, caches

    from serving.page_store import local_pages

    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=str(media),
            IMAGE_RENDITION_WIDTHS=settings.IMAGE_RENDITION_WIDTHS[:1],
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
            PAGE_CACHE_CLOCK_MARGIN=0,
        ),
        transaction.atomic(),
    ):
        cache.clear()
        caches["fragments"].clear()
        local_pages.clear()
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", stdout=open("/dev/null", "w"))
        yield str(media)
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo, settings):
    """The module's demo, with its pictures (tests/conftest.py gives each test an empty
    media folder of its own)."""
    settings.MEDIA_ROOT = demo


def test_demo_has_two_stories_told_by_several_sources_and_a_true_promo(seeded, client, settings):
    settings.APP_STORE_URL = settings.PLAY_STORE_URL = ""
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


def test_demo_key_points_add_something(seeded):
    """On the demo (the Gull Reef rescue told by several sources): no article point
    repeats its article's summary or first paragraph, no two points of a story are
    near-duplicates."""
    from itertools import combinations

    from articles.models import Article
    from stories import keypoints
    from stories.models import KeyPoint

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
