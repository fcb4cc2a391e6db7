"""One story, once, on every list (issue 31, point 1): home (lead, Latest, topic sections),
topic pages and search show one card per story with "and N other sources"; source pages
stay per source; related cards never show two reports of one story."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from stories.models import Story, StoryMembership
from tests.factories import ArticleFactory, SourceFactory, TopicFactory

from .conftest import CHESS, FERRY, make

pytestmark = pytest.mark.django_db

THIRD = (
    "Port Callow ferry walkout enters second day",
    "Crews on the Callow to Inverbrae ferry stayed off work over night shift rotas.",
    [
        "The union said deckhands would not work four night shifts in a row.",
        "Saltmarsh Lines said talks would go ahead on Wednesday.",
    ],
)
LINK = re.compile(r'href="/articles/([^/"]+)/"')


@pytest.fixture
def ferries(db):
    return TopicFactory(name="Ferries", slug="ferries", in_navigation=True)


@pytest.fixture
def story(ferries, django_capture_on_commit_callbacks):
    """The strike told by three sources (the first leads), and an unrelated chess report."""
    with django_capture_on_commit_callbacks(execute=True):
        reports = [
            make(*FERRY[0], hours_ago=3, topics=[ferries]),
            make(*FERRY[1], hours_ago=2, topics=[ferries]),
            make(*THIRD, hours_ago=1.5, topics=[ferries]),
        ]
        make(*CHESS, hours_ago=1)
    stories = {StoryMembership.objects.get(article=a).story_id for a in reports}
    assert len(stories) == 1, "the three reports should be one story"
    return Story.objects.get(pk=stories.pop()), reports


def _slugs(html: str) -> list[str]:
    return LINK.findall(html)


def _shown(html: str, reports) -> list[str]:
    """The story's articles linked from a page, once per card (picture and title links)."""
    ours = {a.slug for a in reports}
    found = []
    for slug in _slugs(html):
        if slug in ours and (not found or found[-1] != slug):
            found.append(slug)
    return found


def test_home_shows_the_story_once_with_its_other_sources(client, story):
    story, reports = story
    html = client.get(reverse("articles:home")).content.decode()
    assert _shown(html, reports) == [reports[2].slug]  # Latest: the newest report
    assert f'<a href="{story.get_absolute_url()}">and 2 other sources' in html


def test_an_editors_new_report_leads_home_by_the_storys_lead_and_not_again_below(
    client, story, ferries, django_capture_on_commit_callbacks
):
    """After an editor publishes a report of the story, the story leads the home page,
    shown by its lead report, and is not repeated in Latest or in the sections."""
    story, reports = story
    with django_capture_on_commit_callbacks(execute=True):
        mine = make(*THIRD[:2], [*THIRD[2], "Our reporter was on the quay."], hours_ago=0.1)
        mine.topics.set([ferries])
    assert StoryMembership.objects.get(article=mine).story_id == story.pk
    html = client.get(reverse("articles:home")).content.decode()
    lead = re.search(r'<article class="lead-story">.*?</article>', html, re.S).group(0)
    assert reports[0].slug in _slugs(lead)  # the story's lead report
    assert _shown(html, [*reports, mine]) == [reports[0].slug]
    assert "and 3 other sources" in lead


def test_topic_page_and_search_show_the_storys_lead(client, story, ferries):
    story, reports = story
    topic = client.get(ferries.get_absolute_url()).content.decode()
    assert _shown(topic, reports) == [reports[0].slug]
    assert "and 2 other sources" in topic
    found = client.get(reverse("search:search"), {"q": "ferry"}).content.decode()
    assert _shown(found, reports) == [reports[0].slug]
    assert "1 result" in found or "1 article" in found


def test_source_pages_stay_per_source(client, story, ferries):
    story, reports = story
    source = SourceFactory(name="Harbour Times", slug="harbour-times")
    Article.objects.filter(pk__in=[a.pk for a in reports]).update(source=source)
    html = client.get(source.get_absolute_url()).content.decode()
    assert sorted(set(_shown(html, reports))) == sorted(a.slug for a in reports)


def test_related_cards_never_show_two_reports_of_one_story(client, story, ferries):
    story, reports = story
    with_topic = ArticleFactory(title="Ferry fares to rise in spring", topics=[ferries])
    html = client.get(with_topic.get_absolute_url()).content.decode()
    related = re.search(r'<section class="related".*?</section>', html, re.S).group(0)
    assert len(_shown(related, reports)) == 1


def _paired_stories(n: int) -> list[Story]:
    """n stories of two reports each (rows written directly: grouping is tested elsewhere)."""
    now = timezone.now()
    stories = []
    for i in range(n):
        older = ArticleFactory(published_at=now - timezone.timedelta(minutes=10 * i + 5))
        newer = ArticleFactory(published_at=now - timezone.timedelta(minutes=10 * i))
        story = Story.objects.create(slug=f"s-{i}", lead=older, published_count=2, source_count=2)
        for article in (older, newer):
            StoryMembership.objects.create(article=article, story=story, reason="first")
        stories.append(story)
    return stories


def test_pages_of_stories_hold_each_story_once(client):
    stories = _paired_stories(23)
    members = {
        m.article.slug: m.story_id
        for m in StoryMembership.objects.select_related("article").filter(story__in=stories)
    }
    seen = []
    for page in ("1", "2"):
        html = client.get(reverse("articles:home"), {"page": page}).content.decode()
        seen += [members[s] for s in dict.fromkeys(_slugs(html)) if s in members]
    assert sorted(seen) == sorted(s.pk for s in stories)
    html = client.get(reverse("articles:home"), {"page": "2"}).content.decode()
    assert "Page 2 of 2" in html


# tests/articles/test_pages.py's HOME_PAGE_QUERIES without topic sections: 6, the pin,
# the next change, the comment counts, the lead's story's lead, the cards' stories.
HOME_QUERIES = 6 + 1 + 1 + 1 + 1 + 1 - 1
# The topic, its pins, the count, the page, the next scheduled change, the cards' comment
# counts and stories (the header and footer come from fragments the home page kept).
TOPIC_QUERIES = 7


@pytest.mark.parametrize("n", [3, 30])
def test_list_query_counts_do_not_grow_with_stories(client, django_assert_num_queries, n):
    topic = TopicFactory(slug="harbour")
    for story in _paired_stories(n):
        for membership in story.memberships.all():
            membership.article.topics.add(topic)
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get(reverse("articles:home")).status_code == 200
    with django_assert_num_queries(TOPIC_QUERIES):
        assert client.get(topic.get_absolute_url()).status_code == 200
