"""The house as a source (issue 33): the site itself, made by a migration, at most one;
the admin's default; "By <byline>, <site>"; never shown as republished."""

import json
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from articles.house import ensure_house, house_source, make_house
from articles.models import Source
from tests.factories import AgencyFactory, ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def house(settings):
    return ensure_house()


def test_the_migration_made_the_house_from_site_name(settings):
    """Migration 0013 makes it (here again: a transactional test before this one may have
    emptied the tables the migrations filled)."""
    import importlib

    from django.apps import apps

    Source.objects.filter(is_house=True).update(is_house=False)
    importlib.import_module("articles.migrations.0013_house_source").make_house(apps, None)
    house = house_source()
    assert house is not None
    assert house.name == settings.SITE_NAME
    assert not house.is_active and not house.feed_url  # nothing to fetch


def test_the_database_keeps_at_most_one_house(house):
    other = SourceFactory()
    other.is_house = True
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=other.pk).update(is_house=True)


def test_ensure_house_is_idempotent_and_the_mark_moves(house):
    assert ensure_house() == house
    other = make_house(SourceFactory())
    assert list(Source.objects.filter(is_house=True)) == [other]


def test_the_add_form_offers_the_house_first(client, editor, house):
    client.force_login(editor)
    SourceFactory(name="The Harbour Ledger")
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    selected = re.search(r'<select name="source"[^>]*>.*?</select>', page, re.S).group(0)
    assert f'<option value="{house.pk}" selected>{house.name}</option>' in selected


def test_house_article_reads_by_byline_and_site_never_first_published(client, house):
    article = ArticleFactory(
        source=house,
        byline="Ines Varga",
        original_url="https://elsewhere.example.org/x",
        first_published_at=None,
    )
    article.first_published_at = article.published_at.replace(year=2020)
    article.save()
    page = client.get(article.get_absolute_url()).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert f"By Ines Varga, {house.name}" in text
    assert "First published by" not in text
    assert "Originally published by" not in text
    data = _json_ld(page)
    assert "isBasedOn" not in data and "sourceOrganization" not in data
    canonical = re.search(r'rel="canonical" href="([^"]+)"', page).group(1)
    assert canonical.endswith(article.get_absolute_url())  # our own copy, not the other


def test_outside_copy_is_still_republished(client):
    agency = AgencyFactory()
    article = ArticleFactory(original_url="https://lantern.example.org/a", agency=agency)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Originally published by" in page
    assert _json_ld(page)["isBasedOn"] == "https://lantern.example.org/a"
    assert article.is_republished


def test_house_articles_in_cards_feeds_and_api(client, house):
    article = ArticleFactory(source=house, byline="Ines Varga", title="Quay lamps relit")
    home = client.get(reverse("articles:home")).content.decode()
    assert house.name in home
    feed = client.get(reverse("syndication:feed_latest_rss")).content.decode()
    assert "Quay lamps relit" in feed and "Ines Varga" in feed
    api = client.get(f"/api/v1/articles/{article.slug}").json()
    assert api["republished"] is False
    assert api["source"]["slug"] == house.slug
    sources = client.get("/api/v1/sources").json()
    listed = {s["slug"]: s["house"] for s in sources}
    assert listed[house.slug] is True


def _json_ld(page: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(block.group(1))


def test_house_articles_join_stories(house, django_capture_on_commit_callbacks):
    from stories.models import StoryMembership
    from tests.stories.conftest import FERRY, make

    with django_capture_on_commit_callbacks(execute=True):
        outside = make(*FERRY[0], hours_ago=3)
        ours = make(*FERRY[1], hours_ago=2, source=house, byline="Ines Varga")
    story = StoryMembership.objects.get(article=ours).story
    assert StoryMembership.objects.get(article=outside).story == story
    assert story.source_count == 2
