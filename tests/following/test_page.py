"""The Following page: one card per story, newest first, new since the last visit, one
to five queries for a reader following fifty things, never cached whole."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from following import services, targets
from following.models import ReaderSettings
from serving.page_store import local_pages
from tests import factories

from .conftest import follow, report, story_of

pytestmark = pytest.mark.django_db

PAGE = reverse("following:page")


def test_one_card_per_story_newest_first_from_every_kind(client, reader, topic):
    source = factories.SourceFactory(name="Coast Post", slug="coast-post")
    old = report(hours_ago=5, topics=[topic])
    again = report(hours_ago=1, story_of=old, source=source)  # the same story, newer
    by_author = report(hours_ago=3, byline="Jane Roe")
    from_source = report(hours_ago=2, source=source)
    followed_story = report(hours_ago=4)
    unfollowed = report(hours_ago=0.5)
    follow(reader, "topic", "ferries")
    follow(reader, "author", "jane-roe")
    follow(reader, "source", "coast-post")
    follow(reader, "story", story_of(followed_story).slug)
    client.force_login(reader)
    html = client.get(PAGE).content.decode()
    order = [story_of(a).lead.title for a in (again, from_source, by_author, followed_story)]
    positions = [html.index(title) for title in order]
    assert positions == sorted(positions)
    assert unfollowed.title not in html
    assert html.count('<li class="following-card') == 4


def test_new_since_the_last_visit_is_marked(client, reader, topic):
    report(hours_ago=2, topics=[topic])
    follow(reader, "topic", "ferries")
    client.force_login(reader)
    assert client.get(PAGE).content.decode().count("New since your last visit") == 1
    assert client.get(PAGE).content.decode().count("New since your last visit") == 0
    report(hours_ago=0, topics=[topic])
    assert client.get(PAGE).content.decode().count("New since your last visit") == 1


def test_what_the_page_kept_follows_the_readers_follows(client, reader, topic):
    report(hours_ago=2, topics=[topic])
    by_author = report(hours_ago=1, byline="Jane Roe")
    follow(reader, "topic", "ferries")
    client.force_login(reader)
    assert by_author.title not in client.get(PAGE).content.decode()
    follow(reader, "author", "jane-roe")
    assert by_author.title in client.get(PAGE).content.decode()
    services.unfollow(user=reader, target=targets.find("author", "jane-roe"))
    assert by_author.title not in client.get(PAGE).content.decode()


def test_what_the_page_kept_of_the_settings_follows_every_write_of_them(client, reader, topic):
    """The reader's last visit and briefing choice are kept between visits: each way
    their row is written (a save, `update()`, the unsubscribe link, erasure) shows at the
    next visit."""
    report(hours_ago=2, topics=[topic])
    follow(reader, "topic", "ferries")
    client.force_login(reader)
    offer = "Get this as a morning briefing"
    assert "New since your last visit" in client.get(PAGE).content.decode()
    assert "New since your last visit" not in client.get(PAGE).content.decode()
    ReaderSettings.objects.filter(user=reader).update(seen_at=timezone.now() - timedelta(days=1))
    assert "New since your last visit" in client.get(PAGE).content.decode()
    assert offer in client.get(PAGE).content.decode()
    found = ReaderSettings.objects.get(user=reader)
    found.briefing = True
    found.save()
    assert offer not in client.get(PAGE).content.decode()
    services.stop_mail(user=reader, what="briefing")
    assert offer in client.get(PAGE).content.decode()
    ReaderSettings.objects.filter(user=reader).delete()
    assert offer not in client.get(PAGE).content.decode()  # no settings: nothing followed


def test_older_stories_are_on_cursor_pages(client, reader, topic):
    reports = [report(hours_ago=hours + 1, topics=[topic]) for hours in range(25)]
    # The matcher decides the stories (made-up words can still look alike to it): the
    # pages must hold every story it made, 20 on the first.
    stories = len({story_of(a).pk for a in reports})
    assert stories > 20
    follow(reader, "topic", "ferries")
    client.force_login(reader)
    first = client.get(PAGE).content.decode()
    assert first.count('<li class="following-card') == 20
    cursor = first.split('href="?before=', 1)[1].split('"', 1)[0]
    second = client.get(PAGE, {"before": cursor}).content.decode()
    assert second.count('<li class="following-card') == stories - 20
    assert "?before=" not in second
    assert client.get(PAGE, {"before": "x" * 500}).status_code == 200


def test_the_page_is_personal_and_asks_anonymous_readers_to_sign_in(client, reader):
    assert client.get(PAGE)["Location"].startswith(reverse("account_login"))
    client.force_login(reader)
    response = client.get(PAGE)
    assert "You follow nothing yet" in response.content.decode()
    assert "private" in response["Cache-Control"]


def _fifty_follows(reader):
    """Fifty follows (20 topics, 15 sources, 10 authors, 5 stories) bringing 40 stories."""
    topics = [factories.TopicFactory() for _ in range(20)]
    sources = [factories.SourceFactory() for _ in range(15)]
    for i, topic in enumerate(topics):
        report(hours_ago=i + 1, topics=[topic])
    for i, source in enumerate(sources):
        report(hours_ago=i + 0.5, source=source, byline=f"Writer {i}")
    for topic in topics:
        follow(reader, "topic", topic.slug)
    for source in sources:
        follow(reader, "source", source.slug)
    for i in range(10):
        follow(reader, "author", f"writer-{i}")
    stories = [story_of(report(hours_ago=30 + i)) for i in range(5)]
    for story in stories:
        follow(reader, "story", story.slug)
    assert reader.follows.count() == 50


def test_at_most_six_queries_for_a_reader_following_fifty_things(
    client, reader, django_assert_num_queries
):
    _fifty_follows(reader)
    extra = story_of(report(hours_ago=40))
    client.force_login(reader)
    client.get(PAGE)  # the shared fragments (header, cards) are made once
    # The page of stories and the cards are kept while nothing followed changes, the
    # reader's settings while their row is not written; the visit is written when it
    # shows something new: session with its user (one query, accounts/sessions.py), the
    # reader's settings (just written), the visit.
    yesterday = timezone.now() - timedelta(days=1)
    ReaderSettings.objects.filter(user=reader).update(seen_at=yesterday)
    with django_assert_num_queries(3):
        assert client.get(PAGE).content.decode().count('<li class="following-card') == 20
    # Nothing new since: nothing written; the settings read again once (the visit wrote
    # them), then kept too: the session with its user only, as on any signed-in page.
    with django_assert_num_queries(2):
        assert client.get(PAGE).content.decode().count("New since your last visit") == 0
    with django_assert_num_queries(1):
        assert client.get(PAGE).content.decode().count("New since your last visit") == 0
    follow(reader, "story", extra.slug)
    ReaderSettings.objects.filter(user=reader).update(seen_at=yesterday)
    # Their follows changed: the page of stories and their leads are read again.
    with django_assert_num_queries(5):
        html = client.get(PAGE).content.decode()
    assert html.count('<li class="following-card') == 20


def test_a_first_visit_takes_five_queries_as_make_bench_counts_it(
    client, reader, django_assert_num_queries
):
    """The condition bench/prepare.py counts: the shared cache just emptied, another
    reader's signed-in page read (it makes the site's header and footer, shared with
    every page), then a reader following fifty things, who has settings and no visit yet,
    opens the page for the first time: session with its user, settings, the page of stories,
    their leads (every card made from them), the visit's time. Nothing for the header:
    its topic navigation is the other pages' (keyed by the path it was one query per
    page, the sixth here)."""
    _fifty_follows(reader)
    cache.clear()
    caches["fragments"].clear()
    local_pages.clear()
    other = Client()
    other.force_login(factories.UserFactory())
    assert other.get(reverse("articles:home")).status_code == 200
    client.force_login(reader)
    with django_assert_num_queries(5):
        html = client.get(PAGE).content.decode()
    assert html.count('<li class="following-card') == 20
    assert html.count("New since your last visit") == 20


def test_a_story_led_by_a_draft_or_a_scheduled_report_shows_a_published_one(client, reader, topic):
    # A trusted report leads its story even unpublished (stories/trust.py); readers see
    # the story through its published reports only, as on the story page.
    new_source = factories.SourceFactory(name="New Wire", vetted=False)
    shown = report(hours_ago=3, topics=[topic], source=new_source)
    draft = report(hours_ago=2, story_of=shown, status="draft", title="Draft: not for readers")
    assert story_of(shown).lead_id == draft.pk
    follow(reader, "topic", "ferries")
    follow(reader, "story", story_of(shown).slug)
    client.force_login(reader)
    html = client.get(PAGE).content.decode()
    assert shown.title in html and "not for readers" not in html
    profile = client.get(reverse("accounts:profile_edit")).content.decode()
    assert "not for readers" not in profile
    later = report(hours_ago=-5, story_of=shown, title="Embargoed: not before noon")
    draft.delete()
    assert story_of(shown).lead_id == later.pk
    cache.clear()
    html = client.get(PAGE).content.decode()
    assert shown.title in html and "Embargoed" not in html
    assert "Embargoed" not in client.get(reverse("following:opml")).content.decode()
    (item,) = client.get("/api/v1/me/following").json()["items"]
    assert item["title"] == shown.title
