"""Full text for summary-only feeds: fetched by the worker from real local HTTP servers,
with robots.txt, the feeds' limits and per-host politeness; failures keep the summary and
say why on the source's admin row (issue 30)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles.models import Article
from ingest.hosts import polite
from ingest.importer import ingest_source
from ingest.models import FeedState
from tests.factories import SourceFactory
from tests.ingest.fulltext.pages import PAGES
from tests.ingest.fulltext.stories import STORIES

pytestmark = pytest.mark.django_db


def summary_feed(base: str, items: list[tuple[str, int]]) -> str:
    entries = "".join(
        f"<item><guid>g-{n}</guid><title>{STORIES[n][0]}{mark}</title>"
        f"<link>{base}/news/{n}</link><description>{STORIES[n][1][0]}</description></item>"
        for mark, n in items
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>S</title>'
    return f"{head}{entries}</channel></rss>"


def note(source) -> str:
    return FeedState.objects.get(pk=source.pk).full_text_note


@pytest.fixture
def site(feed_server, settings):
    settings.FULLTEXT_DELAY = 0
    for n in range(4):
        feed_server.add(f"/news/{n}", PAGES[n].html, headers={"Content-Type": "text/html"})
    feed_server.add("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    feed_server.add("/rss", summary_feed(feed_server.base, [("", 0), ("", 2)]))
    return feed_server


@pytest.fixture
def source(site):
    return SourceFactory(feed_url=site.url("/rss"), fetch_full_text=True)


def test_summary_only_entries_get_the_article_text(site, source, client, editor):
    report = ingest_source(source=source)
    assert report.new == 2
    harbour = Article.objects.get(guid="g-0")
    assert harbour.summary == STORIES[0][1][0]  # the feed's summary stays the summary
    for paragraph in STORIES[0][1]:
        assert paragraph in harbour.body
    for boilerplate in ("cookies", "Most read", "Share this article", "About time somebody"):
        assert boilerplate not in harbour.body
    assert harbour.full_text_fetched_at is not None
    # The picture is part of the article: kept, absolute, with its caption and credit.
    pictured = Article.objects.get(guid="g-2")
    assert f'<img src="{site.base}/img/2.jpg"' in pictured.body
    assert "Photo: Piet Janssen</figcaption></figure>" in pictured.body
    assert note(source).startswith("2 of 2 articles fetched in full")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_source_changelist")).content.decode()
    assert "Full text: <span" in page
    change = client.get(reverse("admin:articles_article_change", args=[harbour.pk]))
    assert f"Full text fetched from {site.base}/news/0 at" in change.content.decode()


def test_off_by_default(site):
    source = SourceFactory(feed_url=site.url("/rss"))
    ingest_source(source=source)
    assert not any(path.startswith("/news/") for path in site.paths_requested())
    assert Article.objects.get(guid="g-0").full_text_fetched_at is None


def test_fetched_again_only_when_the_entry_changes(site, source):
    ingest_source(source=source)
    assert site.paths_requested().count("/news/0") == 1
    assert site.paths_requested().count("/robots.txt") == 1
    site.add("/rss", summary_feed(site.base, [("", 0), ("", 2), ("", 1)]))
    ingest_source(source=source)
    assert site.paths_requested().count("/news/0") == 1  # unchanged entry: not fetched
    assert site.paths_requested().count("/news/1") == 1  # the new one
    site.add("/rss", summary_feed(site.base, [(" (updated)", 0), ("", 2), ("", 1)]))
    ingest_source(source=source)
    assert site.paths_requested().count("/news/0") == 2
    assert site.paths_requested().count("/robots.txt") == 1  # kept per host
    assert Article.objects.get(guid="g-0").full_text_fetched_at is not None


@pytest.mark.parametrize(
    "route, why",
    [
        ({"status": 403}, "HTTP 403 Forbidden"),
        ({"body": PAGES[-2].html}, "the page is behind a paywall"),
        ({"body": PAGES[-1].html}, "the page is behind a paywall"),
        ({"body": "<html><body><article><p>Short.</p></article></body></html>"}, "too little"),
    ],
)
def test_failures_keep_the_summary_and_say_why(site, source, route, why):
    site.add("/news/0", **route)
    ingest_source(source=source)
    harbour = Article.objects.get(guid="g-0")
    assert STORIES[0][1][0] in harbour.body and STORIES[0][1][1] not in harbour.body
    assert harbour.full_text_fetched_at is None
    assert note(source).startswith("1 of 2 articles fetched in full")
    assert why in note(source)


def test_a_page_shorter_than_the_feeds_text_is_not_used(site, source):
    long_summary = " ".join(STORIES[0][1] * 3)
    site.add("/rss", summary_feed(site.base, [("", 0)]).replace(STORIES[0][1][0], long_summary))
    ingest_source(source=source)
    assert "shorter than the feed's" in note(source)


def test_robots_txt_is_honoured(site, source):
    site.add("/robots.txt", "User-agent: NewsroomBot\nDisallow: /news/2\n")
    ingest_source(source=source)
    assert "/news/2" not in site.paths_requested()
    assert "robots.txt does not allow it" in note(source)
    assert Article.objects.get(guid="g-0").full_text_fetched_at is not None


def test_pages_on_private_addresses_are_refused(site, settings, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(summary_feed(site.base, [("", 0)]))
    settings.FEED_ALLOW_PRIVATE_HOSTS = False
    source = SourceFactory(fetch_full_text=True)
    ingest_source(source=source, location=str(feed))
    assert site.paths_requested() == []
    assert "private or local network" in note(source)


def test_selectors_for_stubborn_sites(site):
    page = (
        "<html><body><div class='x'><div class='promo'>Win a cruise!</div>"
        + "".join(f"<span class='para'>{p}</span>" for p in STORIES[0][1])
        + "</div><div class='x'>Unrelated text.</div></body></html>"
    )
    site.add("/news/0", page)
    source = SourceFactory(
        feed_url=site.url("/rss"),
        fetch_full_text=True,
        full_text_selector="div.x:first-of-type",
        full_text_drop=".promo",
    )
    ingest_source(source=source)
    body = Article.objects.get(guid="g-0").body
    assert STORIES[0][1][3] in body
    assert "Win a cruise" not in body and "Unrelated" not in body


def test_selectors_are_checked_when_saved():
    source = SourceFactory.build(full_text_selector="div[", full_text_drop="..nope")
    with pytest.raises(ValidationError) as error:
        source.full_clean()
    assert set(error.value.message_dict) >= {"full_text_selector", "full_text_drop"}


def test_an_editors_change_is_never_overwritten(site, source):
    site.add("/news/0", PAGES[0].html, delay=0.0)
    ingest_source(source=source)
    Article.objects.filter(guid="g-0").update(edited_in_admin=True, body="<p>Ours.</p>")
    site.add("/rss", summary_feed(site.base, [(" (updated)", 0), ("", 2)]))
    ingest_source(source=source)
    assert Article.objects.get(guid="g-0").body == "<p>Ours.</p>"


@pytest.mark.django_db(transaction=True)
def test_one_request_at_a_time_per_host_and_a_pause_between(settings):
    """Two workers (threads with their own database connections) share the host."""
    from django.db import connection

    settings.FULLTEXT_DELAY = 0.3
    spans: list[tuple[float, float]] = []

    def worker():
        try:
            for _ in range(3):
                with polite("news.example.org", deadline=time.monotonic() + 30):
                    start = time.monotonic()
                    time.sleep(0.05)
                    spans.append((start, time.monotonic()))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spans.sort()
    assert len(spans) == 6
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start - end >= 0.29  # never overlapping, and the pause respected


def test_a_task_out_of_time_hands_the_rest_to_a_follow_up(site, source, settings):
    settings.FULLTEXT_TASK_BUDGET = 0  # each task does one article, then hands on
    ingest_source(source=source)
    fetched = Article.objects.filter(full_text_fetched_at__isnull=False).count()
    assert fetched == 2
    assert note(source).startswith("1 of 1 articles fetched in full")  # the last task's


def test_the_source_form_offers_full_text_and_refuses_a_bad_selector(client, editor, source):
    client.force_login(editor)
    url = reverse("admin:articles_source_change", args=[source.pk])
    page = client.get(url).content.decode()
    assert "Fetch the full article" in page and "Article body selector" in page
    response = client.post(
        url,
        {
            "name": source.name,
            "slug": source.slug,
            "kind": source.kind,
            "feed_url": source.feed_url,
            "is_active": "on",
            "fetch_full_text": "on",
            "full_text_selector": "div[",
        },
    )
    assert response.status_code == 200
    assert "This is not a CSS selector" in response.content.decode()
    source.refresh_from_db()
    assert source.full_text_selector == ""
