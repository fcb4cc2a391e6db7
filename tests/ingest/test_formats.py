"""Feed formats and idempotence: RSS 2.0, Atom 1.0, RSS 1.0, GUIDs, re-fetches, editors."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, Source, Topic
from ingest.importer import ingest_source
from tests.factories import EMPTY_ARTICLE_INLINES, SourceFactory, TopicFactory, image_bytes
from tests.ingest.feed_server import FEEDS_DIR

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(db):
    return SourceFactory(slug="lantern", name="The Daily Lantern")


def _serve_images(server):
    server.add("/images/ferry.jpg", image_bytes("JPEG", (900, 500)))
    server.add("/images/orchard.png", image_bytes("PNG", (700, 400)))


def test_rss2_entries_become_draft_articles(feed_server, source):
    _serve_images(feed_server)
    report = ingest_source(source=source, location=feed_server.add_feed("/rss", "rss2.xml"))
    assert (report.new, report.updated, report.unchanged, report.errors) == (3, 0, 0, [])
    ferry = Article.objects.get(guid="lantern-2026-0301")
    assert ferry.source == source
    assert ferry.status == Article.Status.DRAFT
    assert ferry.title == "Ferry timetable grows a late crossing"
    assert ferry.original_url == "https://lantern.example.org/2026/03/ferry-late-crossing"
    assert ferry.byline == "Mira Okonjo"
    assert ferry.summary == "The island ferry will run a 23:40 crossing from April."
    # Full content wins over the description, relative links made absolute.
    assert "<strong>23:40 crossing</strong>" in ferry.body
    assert 'href="https://lantern.example.org/timetables/spring"' in ferry.body
    assert ferry.published_at == datetime(2026, 3, 3, 9, 15, tzinfo=UTC)
    assert sorted(ferry.topics.values_list("name", flat=True)) == ["Islands", "Transport"]
    # The first image enclosure is the lead image, checked and resized like an upload.
    assert ferry.lead_image.name.endswith(".jpg")
    assert ferry.lead_image_width == 900
    assert ferry.lead_image_renditions["jpeg"]
    # "transport" (lower case) in another entry is the same topic, not a new one.
    market = Article.objects.get(guid="lantern-2026-0299")
    assert list(market.topics.values_list("name", flat=True)) == ["Transport"]
    assert Topic.objects.filter(slug="transport").count() == 1
    # A permalink GUID is the GUID.
    assert Article.objects.filter(
        guid="https://lantern.example.org/2026/03/lighthouse-paint"
    ).exists()


def test_existing_topic_matched_by_name_or_slug(feed_server, source):
    community = TopicFactory(name="Our Community", slug="community")
    islands = TopicFactory(name="Islands", slug="island-life")
    _serve_images(feed_server)
    ingest_source(source=source, location=feed_server.add_feed("/rss", "rss2.xml"))
    assert Article.objects.get(guid__endswith="lighthouse-paint").topics.get() == community
    ferry = Article.objects.get(guid="lantern-2026-0301")
    assert islands in ferry.topics.all()
    assert Topic.objects.count() == 3  # Transport is the only new one


def test_atom_entries(feed_server, source):
    _serve_images(feed_server)
    report = ingest_source(source=source, location=feed_server.add_feed("/atom", "atom.xml"))
    assert (report.new, report.errors) == (2, [])
    orchard = Article.objects.get(guid="tag:courier.example.net,2026:orchard-frost")
    assert orchard.title == "Orchard growers count the frost damage"
    assert orchard.original_url == "https://courier.example.net/news/orchard-frost"
    assert orchard.byline == "Tomasz Riel"
    assert orchard.summary == "Early blossom on the slopes was lost in two cold nights."
    assert "growers say" in orchard.body
    # Relative image in the content resolved against the entry's link.
    assert 'src="https://courier.example.net/news/pictures/blossom.jpg"' in orchard.body
    assert orchard.published_at == datetime(2026, 3, 4, 6, 30, tzinfo=UTC)
    assert orchard.feed_updated_at == datetime(2026, 3, 4, 6, 45, tzinfo=UTC)
    assert list(orchard.topics.values_list("name", flat=True)) == ["Agriculture"]
    # media:content is the lead image.
    assert orchard.lead_image.name.endswith(".png")
    assert orchard.lead_image_width == 700
    choir = Article.objects.get(guid="tag:courier.example.net,2026:choir-prize")
    # No published date: the updated date stands in.
    assert choir.published_at == datetime(2026, 3, 3, 19, 0, tzinfo=UTC)
    assert choir.body == "Forty singers aged nine to fourteen took first place."


def test_rss1_entries(feed_server, source):
    report = ingest_source(source=source, location=feed_server.add_feed("/rdf", "rss1.xml"))
    assert (report.new, report.errors) == (2, [])
    vote = Article.objects.get(guid="https://plainsgazette.example.com/wind-farm-vote")
    assert vote.title == "County board delays wind farm vote"
    assert vote.byline == "Lena Marsh"
    assert vote.published_at == datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    assert list(vote.topics.values_list("name", flat=True)) == ["Energy"]


def test_entry_without_guid_is_known_by_its_link(feed_server, source):
    url = feed_server.add_feed("/hill", "no_guid.xml")
    report = ingest_source(source=source, location=url)
    assert report.new == 1
    assert len(report.errors) == 1 and "neither GUID nor link" in report.errors[0]
    article = Article.objects.get()
    assert article.guid == "https://hillpost.example.org/cable-car-check"
    again = ingest_source(source=source, location=url)
    assert (again.new, again.unchanged) == (0, 1)
    assert Article.objects.count() == 1


def test_same_feed_twice_makes_no_duplicates(feed_server, source):
    _serve_images(feed_server)
    url = feed_server.add_feed("/rss", "rss2.xml")
    ingest_source(source=source, location=url)
    first = dict(Article.objects.values_list("guid", "updated_at"))
    image_requests = feed_server.paths_requested().count("/images/ferry.jpg")
    report = ingest_source(source=source, location=url)
    assert (report.new, report.updated, report.unchanged, report.skipped) == (0, 0, 3, 0)
    assert dict(Article.objects.values_list("guid", "updated_at")) == first
    # An unchanged entry does not download its image again.
    assert feed_server.paths_requested().count("/images/ferry.jpg") == image_requests


def test_same_guid_in_another_source_is_another_article(feed_server, source):
    url = feed_server.add_feed("/rss", "rss2.xml")
    ingest_source(source=source, location=url)
    ingest_source(source=SourceFactory(slug="other"), location=url)
    assert Article.objects.filter(guid="lantern-2026-0301").count() == 2


def test_changed_entry_updates_the_article(feed_server, source):
    _serve_images(feed_server)
    url = feed_server.add_feed("/rss", "rss2.xml")
    ingest_source(source=source, location=url)
    ferry = Article.objects.get(guid="lantern-2026-0301")
    changed = feed_server.feed_text(
        "rss2.xml",
        replace={
            "Ferry timetable grows a late crossing": "Ferry timetable grows two late crossings",
            "<category>Islands</category>": "<category>Night life</category>",
        },
    )
    feed_server.add("/rss", changed)
    report = ingest_source(source=source, location=url)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 2)
    ferry.refresh_from_db()
    assert ferry.title == "Ferry timetable grows two late crossings"
    assert sorted(ferry.topics.values_list("name", flat=True)) == ["Night life", "Transport"]
    assert ferry.slug.startswith("ferry-timetable-grows-a-late-crossing")  # address kept
    assert Article.objects.count() == 3


def test_update_keeps_the_editors_publication(feed_server, source, editor):
    url = feed_server.add_feed("/rss", "rss2.xml")
    ingest_source(source=source, location=url)
    article = Article.objects.get(guid="lantern-2026-0299")
    from articles import publishing

    when = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    publishing.publish(article=article, author=editor, when=when)
    feed_server.add(
        "/rss", feed_server.feed_text("rss2.xml", replace={"an hour earlier": "at dawn"})
    )
    report = ingest_source(source=source, location=url)
    assert report.updated == 1
    article.refresh_from_db()
    assert article.title == "Fish market opens at dawn"
    assert (article.status, article.published_at) == (Article.Status.PUBLISHED, when)


def _admin_post(client, article, **changes):
    data = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "lead_image_alt": "",
        "lead_image_caption": "",
        "lead_image_credit": "",
        "source": article.source_id,
        "agency": "",
        "byline": article.byline,
        "original_url": article.original_url,
        "status": article.status,
        "published_at_0": article.published_at.strftime("%d/%m/%Y"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "topics": list(article.topics.values_list("pk", flat=True)),
        "comments_enabled": "on",
        **EMPTY_ARTICLE_INLINES,
        **changes,
    }
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    return article


def test_article_edited_in_admin_is_not_overwritten(client, editor, feed_server, source):
    url = feed_server.add_feed("/rss", "rss2.xml")
    ingest_source(source=source, location=url)
    article = Article.objects.get(guid="lantern-2026-0299")
    client.force_login(editor)
    article = _admin_post(client, article, title="Fish market opens early (corrected)")
    assert article.edited_in_admin
    feed_server.add(
        "/rss", feed_server.feed_text("rss2.xml", replace={"an hour earlier": "at dawn"})
    )
    report = ingest_source(source=source, location=url)
    assert (report.updated, report.skipped, report.unchanged) == (0, 1, 2)
    assert report.notes == [
        "Skipped, an editor has changed it in the admin: 'Fish market opens early (corrected)'"
    ]
    assert "1 skipped, 0 errors" in report.line()
    article.refresh_from_db()
    assert article.title == "Fish market opens early (corrected)"


def test_publishing_in_admin_alone_does_not_freeze_the_article(client, editor, feed_server, source):
    url = feed_server.add_feed("/rss", "rss2.xml")
    ingest_source(source=source, location=url)
    article = Article.objects.get(guid="lantern-2026-0299")
    client.force_login(editor)
    article = _admin_post(client, article, status="published")
    assert article.status == Article.Status.PUBLISHED
    assert not article.edited_in_admin
    feed_server.add(
        "/rss", feed_server.feed_text("rss2.xml", replace={"an hour earlier": "at dawn"})
    )
    assert ingest_source(source=source, location=url).updated == 1


def test_publish_flag_publishes_at_the_entries_own_time(feed_server, source):
    url = feed_server.add_feed("/rss", "rss2.xml")
    ingest_source(source=source, location=url, publish=True)
    ferry = Article.objects.get(guid="lantern-2026-0301")
    assert ferry.status == Article.Status.PUBLISHED
    assert ferry.published_at == datetime(2026, 3, 3, 9, 15, tzinfo=UTC)
    assert set(Article.objects.published()) == set(Article.objects.all())


def test_auto_publish_source(feed_server):
    source = SourceFactory(slug="auto", auto_publish=True)
    ingest_source(source=source, location=feed_server.add_feed("/rss", "rss2.xml"))
    assert Article.objects.published().count() == 3


def test_ingest_feed_command_from_a_local_file(capsys):
    SourceFactory(slug="gazette")
    call_command("ingest_feed", "gazette", str(FEEDS_DIR / "rss1.xml"), "--publish")
    out = capsys.readouterr().out
    assert out.strip() == "gazette: 2 new, 0 updated, 0 unchanged, 0 skipped, 0 errors"
    assert Article.objects.published().count() == 2
    call_command("ingest_feed", "gazette", str(FEEDS_DIR / "rss1.xml"))
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out


def test_ingest_feed_command_unknown_source(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No source"):
        call_command("ingest_feed", "nobody", str(FEEDS_DIR / "rss1.xml"))


def test_ingest_feed_command_over_http_and_failure(feed_server, capsys):
    from django.core.management.base import CommandError

    SourceFactory(slug="courier")
    call_command("ingest_feed", "courier", feed_server.add_feed("/atom", "atom.xml"))
    out = capsys.readouterr().out
    assert out.startswith("courier: 2 new, 0 updated, 0 unchanged, 0 skipped")
    with pytest.raises(CommandError, match="could not be imported"):
        call_command("ingest_feed", "courier", feed_server.url("/gone"))
    captured = capsys.readouterr()
    assert "courier: 0 new, 0 updated, 0 unchanged, 0 skipped, 1 errors" in captured.out
    assert "HTTP 404" in captured.err
    assert Source.objects.get(slug="courier").feed_state.consecutive_failures == 1


def test_rss091_entries(feed_server, source):
    report = ingest_source(source=source, location=feed_server.add_feed("/old", "rss091.xml"))
    assert (report.new, report.errors) == (1, [])
    article = Article.objects.get()
    assert article.title == "Café by the weir reopens after the flood"
    assert article.guid == "https://oldmill.example.org/weir-cafe"
    assert article.body == "The owners rebuilt the terrace two metres higher."


def test_many_entries_with_one_title_cost_the_same_queries(feed_server, source):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def feed(tag: str, count: int) -> str:
        items = "".join(
            f"<item><title>Tide table</title><guid>{tag}-{i}</guid>"
            f"<link>https://lantern.example.org/tides/{tag}/{i}</link>"
            "<description>High water at the usual times.</description></item>"
            for i in range(count)
        )
        return f'<rss version="2.0"><channel><title>Tides</title>{items}</channel></rss>'

    counts = []
    for tag in ("first", "second", "third"):
        url = feed_server.add(f"/{tag}", feed(tag, 20))
        with CaptureQueriesContext(connection) as queries:
            assert ingest_source(source=source, location=url).new == 20
        counts.append(len(queries))
    # 20 or 40 namesakes already stored: the same cost (the very first entry of all is
    # the only one that gets the bare slug, one query cheaper).
    assert counts[2] == counts[1] <= counts[0] + 1
    slugs = list(Article.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 60
    assert "tide-table" in slugs
