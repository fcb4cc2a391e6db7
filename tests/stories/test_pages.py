"""Story page, the article page's coverage link and key points, related by meaning."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from stories import related
from stories.models import KeyPoint, StoryMembership
from stories.text import plain_text
from tests import factories

from .conftest import CHESS, make

pytestmark = pytest.mark.django_db


def story_of(article):
    return StoryMembership.objects.get(article=article).story


def test_story_page_shows_every_source_first_report_timeline_and_points(client, ferry_story):
    first, second, chess = ferry_story
    story = story_of(first)
    html = client.get(story.get_absolute_url()).content.decode()
    assert f'<h1 class="story__title">{escape(first.title)}</h1>' in html
    for article in (first, second):
        assert article.get_absolute_url() in html
        assert escape(article.source.name) in html
    assert "First reported by" in html and escape(first.source.name) in html
    assert html.count('class="timeline__item"') == 2
    assert chess.get_absolute_url() not in html
    points = list(KeyPoint.objects.filter(story=story).shown())
    assert len(points) >= 3
    sources = {first.pk: first, second.pk: second}
    for point in points:
        # Verbatim: each point is a sentence of the article it names.
        source = sources[point.source_article_id]
        assert point.sentence in f"{source.summary} {plain_text(source.body)}"
        assert escape(point.sentence) in html


def test_unknown_story_is_404(client, db):
    assert client.get(reverse("stories:detail", args=["no-such-story"])).status_code == 404


def test_article_in_a_story_of_two_links_to_the_same_story_page(client, ferry_story):
    first, second, _ = ferry_story
    href = story_of(first).get_absolute_url()
    assert href.startswith("/stories/")
    for article in (first, second):
        html = client.get(article.get_absolute_url()).content.decode()
        link = re.search(r'<a class="coverage__link" href="([^"]+)">([^<]+)</a>', html)
        assert link and link.group(1) == href
        assert link.group(2) == "2 sources cover this story"


def test_article_alone_in_its_story_has_no_coverage_link(client, ferry_story):
    html = client.get(ferry_story[2].get_absolute_url()).content.decode()
    # (Its related cards may name their own stories: "and 1 other source".)
    assert 'class="coverage__link"' not in html
    assert "cover this story" not in html


def test_article_key_points_are_its_own_sentences_under_an_extracted_label(client, ferry_story):
    first = ferry_story[0]
    html = client.get(first.get_absolute_url()).content.decode()
    assert "Key points" in html and "Extracted automatically" in html
    items = re.search(r'<ul class="key-points__list">(.*?)</ul>', html, re.S).group(1)
    points = re.findall(r"<li>(.*?)</li>", items)
    assert 2 <= len(points) <= 5
    text = escape(f"{first.summary} {plain_text(first.body)}")
    assert all(p in text for p in points)


def test_hidden_key_point_is_not_shown(client, ferry_story):
    first = ferry_story[0]
    point = KeyPoint.objects.filter(article=first).first()
    point.hidden = True
    point.edited_by_editor = True
    point.save()
    html = client.get(first.get_absolute_url()).content.decode()
    items = re.search(r'<ul class="key-points__list">(.*?)</ul>', html, re.S).group(1)
    assert escape(point.sentence) not in items


def test_related_never_lists_another_write_up_of_the_same_story(ferry_story):
    first, second, chess = ferry_story
    found = related.related_articles(first, [])
    assert second not in found
    assert chess in found


def test_related_ranks_by_meaning(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = make(*CHESS, hours_ago=100)  # outside the window: not the same story
        close = make(
            "Carrow chess club celebrates the youngest national champion",
            "The club where Noor Haddad learned chess held a party for the new champion.",
            ["Members played a simultaneous exhibition against the champion's coach."],
            hours_ago=1,
        )
        for n in range(4):
            make(f"Bakery {n} opens on the high street", "Bread and cakes.", ["Fresh loaves."])
    assert related.related_articles(article, [])[0] == close


@pytest.mark.parametrize("n_others", [2, 20])
def test_related_takes_two_queries_on_a_miss(ferry_story, django_assert_num_queries, n_others):
    topic = factories.TopicFactory()
    for _ in range(n_others):
        factories.ArticleFactory(topics=[topic])
    with django_assert_num_queries(2):
        related.related_articles(ferry_story[0], [topic.pk])


def test_related_fragment_is_served_from_cache_without_sql(client, ferry_story, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(editor)  # past the page cache: the fragments' own caching shows
    url = ferry_story[0].get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "stories_lshband" not in sql and "stories_keypoint" not in sql


def test_features_page_shows_live_examples(client, ferry_story):
    first = ferry_story[0]
    html = client.get(reverse("stories:features")).content.decode()
    for heading in ("Key points", "Full coverage", "Related by meaning"):
        assert heading in html
    assert story_of(first).get_absolute_url() in html
    assert first.get_absolute_url() in html


def test_cached_article_page_shows_the_link_once_a_second_source_reports(
    client, django_capture_on_commit_callbacks
):
    from .conftest import FERRY

    with django_capture_on_commit_callbacks(execute=True):
        first = make(*FERRY[0], hours_ago=3)
    url = first.get_absolute_url()
    assert "cover this story" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        make(*FERRY[1], hours_ago=2)
    assert "2 sources cover this story" in client.get(url).content.decode()
