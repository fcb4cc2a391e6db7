"""A story cannot be taken over (issue 31, "A story can be taken over").

A new source serves, over real HTTP, an item with a story lead's exact headline, a pubDate
51 minutes earlier and invented sentences. It goes through the real ingest path (fetch,
parse, import, the post_save -> on_commit grouping task) and joins the story, but the
story's lead, its first reporter and its key points stay what they were, on the story
page and in the API alike.
"""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from articles.models import Article
from ingest.importer import ingest_source
from stories.models import KeyPoint, StoryMembership
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

HEADLINE = "Ferry crews at Port Callow walk out over night shift rotas"


def _item(guid: str, title: str, when, summary: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>https://{guid}.example.org/</link>"
        f"<pubDate>{format_datetime(when)}</pubDate>"
        f"<description>{summary}</description>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
    )


def _feed(name: str, *items: str) -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{name}</title><link>https://example.org/</link><description>x</description>"
        + "".join(items)
        + "</channel></rss>"
    )


RESPECTED = (
    "Crews on the Callow to Inverbrae ferry stopped work at dawn, leaving commuters on the quay.",
    [
        "Ferry crews at Port Callow walked off the boats as the first sailing was due.",
        "The union says new rotas would have deckhands working four night shifts in a row.",
        "The operator, Saltmarsh Lines, called the stoppage premature and booked talks.",
        "Islanders were told to expect no crossings before Wednesday evening.",
        "A shop owner on the island said deliveries of bread had already stopped.",
    ],
)
SECOND = (
    "Callow ferry strike strands island commuters",
    "Ferry workers in Port Callow went on strike over night shift patterns, halting sailings "
    "to Inverbrae.",
    [
        "The deckhands' union said Saltmarsh Lines wanted staff to work four nights running.",
        "Saltmarsh Lines described the walkout as premature and said talks were planned.",
        "No sailings to the island are expected before Wednesday evening.",
    ],
)
# Invented: none of this is in the other reports.
HOSTILE = (
    "Ferry crews at Port Callow walk out as owners plan to sell the whole fleet abroad.",
    [
        "Secret papers show Saltmarsh Lines will sell every ferry to a foreign buyer in May.",
        "The crews were promised double pay if they kept quiet about the sale, insiders say.",
        "Island councillors will demand the arrest of the company's directors on Friday.",
        "Commuters were told the ferries would never return to the Inverbrae crossing.",
        "A buyer from abroad has already inspected two of the boats at night, they claim.",
    ],
)


@pytest.fixture
def story(feed_server, django_capture_on_commit_callbacks):
    """A respected paper and a second source report the strike, both fetched over HTTP."""
    now = timezone.now().replace(microsecond=0)
    paper = SourceFactory(name="Harbour Times", slug="harbour-times", auto_publish=True)
    coast = SourceFactory(name="Coast Post", slug="coast-post", auto_publish=True)
    lead_time = now - timedelta(minutes=10)
    with django_capture_on_commit_callbacks(execute=True):
        ingest_source(
            source=paper,
            location=feed_server.add(
                "/paper.xml",
                _feed("Harbour Times", _item("paper-1", HEADLINE, lead_time, *RESPECTED)),
            ),
        )
    with django_capture_on_commit_callbacks(execute=True):
        ingest_source(
            source=coast,
            location=feed_server.add(
                "/coast.xml",
                _feed(
                    "Coast Post",
                    _item("coast-1", *SECOND[:1], now - timedelta(minutes=5), *SECOND[1:]),
                ),
            ),
        )
    lead = Article.objects.get(guid="paper-1")
    membership = StoryMembership.objects.get(article=lead)
    assert StoryMembership.objects.get(article__guid="coast-1").story_id == membership.story_id
    return membership.story, lead, lead_time


def _hostile(feed_server, captures, lead_time, *, vetted: bool) -> Article:
    intruder = SourceFactory(
        name="Quayside Dispatch", slug="quayside-dispatch", auto_publish=True, vetted=vetted
    )
    item = _item("hostile-1", HEADLINE, lead_time - timedelta(minutes=51), *HOSTILE)
    with captures(execute=True):
        report = ingest_source(
            source=intruder, location=feed_server.add("/hostile.xml", _feed("QD", item))
        )
    assert report.new == 1, report
    return Article.objects.get(guid="hostile-1")


def _points(story) -> list[tuple[int, str]]:
    return list(
        KeyPoint.objects.filter(story=story).shown().values_list("source_article_id", "sentence")
    )


def _first_reporter(html: str) -> str:
    return re.search(r'First reported by <a href="[^"]+">([^<]+)</a>', html).group(1)


def test_a_new_source_cannot_take_a_story_over(
    client, feed_server, story, django_capture_on_commit_callbacks
):
    story, lead, lead_time = story
    points = _points(story)
    assert points and {pk for pk, _ in points} <= set(
        StoryMembership.objects.filter(story=story).values_list("article_id", flat=True)
    )
    page = client.get(story.get_absolute_url()).content.decode()
    assert _first_reporter(page) == "Harbour Times"

    hostile = _hostile(feed_server, django_capture_on_commit_callbacks, lead_time, vetted=False)

    assert hostile.is_visible and hostile.title == lead.title
    # It may join the story: it reports the same event...
    assert StoryMembership.objects.get(article=hostile).story_id == story.pk
    story.refresh_from_db()
    assert story.published_count == 3
    # ...but neither leads it, nor reported it first, nor gives its key points.
    assert story.lead_id == lead.pk and not story.lead_pinned
    assert _points(story) == points
    page = client.get(story.get_absolute_url()).content.decode()
    assert _first_reporter(page) == "Harbour Times"
    assert "Secret papers" not in page and "new source</span>" in page
    lead_section = re.search(r'<section class="story__lead".*?</section>', page, re.S).group(0)
    assert lead.get_absolute_url() in lead_section
    assert hostile.get_absolute_url() not in lead_section
    api = client.get(f"/api/v1/stories/{story.slug}").json()
    assert api["first_reported_by"]["slug"] == "harbour-times"
    assert api["lead"]["slug"] == lead.slug
    assert "quayside-dispatch" not in {p["source"]["slug"] for p in api["key_points"]}
    listed = client.get("/api/v1/stories").json()["items"]
    assert [s["first_reported_by"]["slug"] for s in listed if s["slug"] == story.slug] == [
        "harbour-times"
    ]


def test_a_vetted_source_claiming_an_earlier_time_is_first_when_it_was_seen(
    client, feed_server, story, django_capture_on_commit_callbacks
):
    """Feeds can lie: a claimed pubDate 51 minutes before the lead's, but first seen here
    after it, counts as seen; the vetted source's report joins without leading."""
    story, lead, lead_time = story
    hostile = _hostile(feed_server, django_capture_on_commit_callbacks, lead_time, vetted=True)
    assert hostile.published_at == lead_time - timedelta(minutes=51)  # what the feed said
    story.refresh_from_db()
    assert story.lead_id == lead.pk
    page = client.get(story.get_absolute_url()).content.decode()
    assert _first_reporter(page) == "Harbour Times"
    timeline = re.findall(r'class="timeline__link" href="([^"]+)"', page)
    assert timeline.index(hostile.get_absolute_url()) > timeline.index(lead.get_absolute_url())
    assert client.get(f"/api/v1/stories/{story.slug}").json()["first_reported_by"]["slug"] == (
        "harbour-times"
    )
