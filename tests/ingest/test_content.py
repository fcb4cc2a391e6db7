"""What an entry becomes: safe HTML, checked images, aware dates, wire agencies."""

import io
import random
from datetime import UTC, datetime

import pytest
from django.utils import timezone
from PIL import Image

from articles.models import Article
from ingest.importer import ingest_source
from tests.factories import AgencyFactory, SourceFactory, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(db):
    return SourceFactory(slug="desk")


def test_hostile_markup_is_removed(feed_server, source):
    report = ingest_source(source=source, location=feed_server.add_feed("/h", "hostile.xml"))
    assert report.new == 2
    article = Article.objects.get(guid="unfriendly-budget")
    body = article.body.lower()
    for bad in ("<script", "steal()", "onerror", "onclick", "onmouseover", "javascript:"):
        assert bad not in body, bad
    for bad in ("<iframe", "<style", "display: none", "data:image", "evil.example"):
        assert bad not in body, bad
    # What is harmless stays, with relative addresses made absolute.
    assert "The budget passed by four votes." in article.body
    assert "<b>cheered</b>" in article.body
    assert '<img src="https://unfriendly.example.com/photos/vote.jpg" alt="The vote">' in (
        article.body
    )
    assert 'href="https://unfriendly.example.com/archive/2025"' in article.body
    assert ">Click for details</a>" in article.body  # the link text stays, not the href
    # Titles and summaries are plain text (templates escape them); scripts are gone.
    assert article.title == "Budget passes"
    assert "script" not in article.summary and "cookie" not in article.summary
    # A javascript: link never becomes the article's original URL.
    other = Article.objects.get(guid="unfriendly-link")
    assert other.original_url == ""


def test_hostile_article_page_runs_nothing(client, feed_server, source):
    ingest_source(source=source, location=feed_server.add_feed("/h", "hostile.xml"), publish=True)
    article = Article.objects.get(guid="unfriendly-budget")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "steal()" not in page and "onerror" not in page and "javascript:alert" not in page


def _bomb_png() -> bytes:
    # 400 megapixels: a few kilobytes on disk, 400 MB once decoded.
    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, "PNG")
    return buf.getvalue()


def test_lead_images_checked_like_uploads(feed_server, source):
    bomb = _bomb_png()
    assert len(bomb) < 100_000
    feed_server.add("/images/kites.jpg", image_bytes("JPEG", (1200, 700)))
    feed_server.add("/images/bomb.png", bomb)
    feed_server.add("/images/clock.jpg", b"<html>not a picture</html>")
    report = ingest_source(source=source, location=feed_server.add_feed("/p", "images.xml"))
    # Every article is imported; the bad images are left out and reported.
    assert report.new == 4
    assert len(report.errors) == 3
    assert "4 new, 0 updated, 0 unchanged, 0 skipped, 3 errors" in report.line()
    problems = "\n".join(report.errors)
    assert "too large in pixels" in problems or "megapixels" in problems
    assert "HTTP 404" in problems
    assert "not a valid image" in problems
    kites = Article.objects.get(guid="pics-good")
    assert kites.lead_image and kites.lead_image_width == 1200
    assert [w for w, _ in kites.lead_image_renditions["webp"]] == [320, 640, 1200]
    for guid in ("pics-bomb", "pics-missing", "pics-not-image"):
        article = Article.objects.get(guid=guid)
        assert not article.lead_image
        assert article.lead_image_renditions == {}


def test_image_byte_limit_while_downloading(feed_server, source, settings):
    settings.IMAGE_MAX_BYTES = 50_000
    big = image_bytes("PNG", (1500, 1500), colour=(10, 20, 30))
    noisy = Image.frombytes("RGB", (400, 400), random.Random(7).randbytes(400 * 400 * 3))
    buf = io.BytesIO()
    noisy.save(buf, "PNG")
    assert len(buf.getvalue()) > 50_000
    feed_server.add("/images/kites.jpg", buf.getvalue(), content_length=False)
    feed_server.add("/images/bomb.png", big)
    feed_server.add("/images/clock.jpg", image_bytes())
    report = ingest_source(source=source, location=feed_server.add_feed("/p", "images.xml"))
    assert report.new == 4
    assert report.errors == [
        f"Lead image left out ({feed_server.url('/images/kites.jpg')}): "
        "Too large: over 0.1 MB; the limit is 0.1 MB.",
        f"Lead image left out: HTTP 404 Not Found from {feed_server.url('/images/missing.jpg')}.",
    ]
    assert not Article.objects.get(guid="pics-good").lead_image
    assert Article.objects.get(guid="pics-not-image").lead_image


def test_image_not_downloaded_again_when_unchanged(feed_server, source):
    feed_server.add("/images/kites.jpg", image_bytes())
    url = feed_server.add_feed("/p", "images.xml")
    ingest_source(source=source, location=url)
    first = Article.objects.get(guid="pics-good").lead_image.name
    feed_server.add(
        "/p", feed_server.feed_text("images.xml", replace={"Hundreds of": "Thousands of"})
    )
    report = ingest_source(source=source, location=url)
    assert report.updated == 1
    assert feed_server.paths_requested().count("/images/kites.jpg") == 1
    assert Article.objects.get(guid="pics-good").lead_image.name == first


def test_dates_with_and_without_time_zones(feed_server, source, settings):
    report = ingest_source(source=source, location=feed_server.add_feed("/d", "dates.xml"))
    assert (report.new, report.errors) == (5, [])
    dates = dict(Article.objects.values_list("title", "published_at"))
    assert dates["Seoul offset"] == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert dates["Named zone"] == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert dates["ISO date with zone"] == datetime(2026, 3, 3, 12, 5, tzinfo=UTC)
    # Without a zone, the time is read in the site's TIME_ZONE (UTC here).
    assert dates["No zone at all"] == datetime(2026, 3, 3, 12, 30, tzinfo=UTC)
    assert dates["ISO date without zone"] == datetime(2026, 3, 3, 7, 5, tzinfo=UTC)
    assert all(timezone.is_aware(d) for d in dates.values())


def test_dates_without_zone_follow_the_site_time_zone(feed_server, source, settings):
    settings.TIME_ZONE = "Asia/Seoul"
    ingest_source(source=source, location=feed_server.add_feed("/d", "dates.xml"))
    naive = Article.objects.get(title="No zone at all").published_at
    assert naive == datetime(2026, 3, 3, 3, 30, tzinfo=UTC)  # 12:30 in Seoul
    offset = Article.objects.get(title="Seoul offset").published_at
    assert offset == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # unaffected


def test_entries_without_dates_get_the_fetch_time(feed_server, source):
    url = feed_server.add_feed("/n", "nodates.xml")
    before = timezone.now()
    report = ingest_source(source=source, location=url, publish=True)
    after = timezone.now()
    assert report.new == 2
    for article in Article.objects.all():
        assert before <= article.published_at <= after
        assert before <= article.feed_updated_at <= after
    assert Article.objects.published().count() == 2
    # The next fetch, later, does not count them as changed.
    again = ingest_source(source=source, location=url)
    assert (again.unchanged, again.updated) == (2, 0)


def test_wire_agencies_recognised(feed_server, source):
    yonhap = AgencyFactory(name="Yonhap", slug="yonhap", aliases="Yonhap News Agency")
    ap = AgencyFactory(name="Associated Press", slug="ap", aliases="AP, The Associated Press")
    northwind = AgencyFactory(name="Northwind", slug="northwind", aliases="Northwind Wire Service")
    # A publisher with a matching name is not a wire agency.
    SourceFactory(name="Metro Digest", slug="metro-digest")
    report = ingest_source(source=source, location=feed_server.add_feed("/w", "wire.xml"))
    assert report.new == 5
    agencies = dict(Article.objects.values_list("guid", "agency"))
    assert agencies == {
        "wire-trailing": yonhap.pk,  # "... (Yonhap)" at the end
        "wire-dateline": yonhap.pk,  # "BUSAN, March 3 (Yonhap) -- ..."
        "wire-author": ap.pk,  # <dc:creator>By AP</dc:creator>, an alias
        "wire-source": northwind.pk,  # <source>, matched by alias
        "wire-none": None,
    }
    # The agency is data the cards and the page print.
    article = Article.objects.for_cards().get(guid="wire-trailing")
    assert article.agency.name == "Yonhap"


def test_agency_alias_added_later_is_used_on_the_next_change(feed_server, source):
    url = feed_server.add_feed("/w", "wire.xml")
    ingest_source(source=source, location=url)
    assert Article.objects.get(guid="wire-author").agency is None
    ap = AgencyFactory(name="Associated Press", slug="ap", aliases="AP")
    feed_server.add("/w", feed_server.feed_text("wire.xml", replace={"overnight": "night's"}))
    ingest_source(source=source, location=url)
    assert Article.objects.get(guid="wire-author").agency == ap


def test_a_rendition_failure_never_loses_the_entry(feed_server, source, settings):
    from pathlib import Path

    from articles.tasks import make_article_renditions

    # Renditions are a task of their own (articles/tasks.py), run after the entry is
    # stored: a file where their folder should be makes that task fail, not the import.
    (Path(settings.MEDIA_ROOT) / "renditions").write_text("in the way")
    feed_server.add("/images/ferry.jpg", image_bytes())
    url = feed_server.add_feed("/rss", "rss2.xml")
    report = ingest_source(source=source, location=url)
    assert report.new == 3 and not report.errors
    ferry = Article.objects.get(guid="lantern-2026-0301")
    assert ferry.lead_image and ferry.lead_image_renditions == {}
    assert ferry.topics.count() == 2
    # The worker's retry, once the problem is fixed, makes them.
    (Path(settings.MEDIA_ROOT) / "renditions").unlink()
    make_article_renditions.call(ferry.pk, ferry.lead_image.name)
    ferry.refresh_from_db()
    assert ferry.lead_image_renditions["jpeg"]


def test_restoring_a_revision_also_stops_feed_updates(feed_server, source, editor):
    from articles import publishing

    url = feed_server.add_feed("/n", "nodates.xml")
    ingest_source(source=source, location=url)
    article = Article.objects.get(guid="undated-bread")
    revision = publishing.record(article=article, author=editor, changed_fields=["title"])
    publishing.restore(revision=revision, author=editor)
    feed_server.add("/n", feed_server.feed_text("nodates.xml", replace={"third": "fourth"}))
    report = ingest_source(source=source, location=url)
    assert (report.skipped, report.unchanged) == (1, 1)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY a "laugh laugh laugh laugh laugh laugh laugh laugh laugh laugh">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>Joke</title><guid>joke</guid><description>&h;</description></item>
</channel></rss>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<rss version="2.0"><channel><title>Peek</title>
<item><title>Peek</title><guid>peek</guid><description>Host: &secret;.</description></item>
</channel></rss>"""


@pytest.mark.parametrize("feed", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entity_tricks_are_refused(feed_server, source, feed):
    # feedparser drops the entity declarations, so the feed no longer parses strictly.
    report = ingest_source(source=source, location=feed_server.add("/x", feed))
    assert report.failed
    assert report.errors[0].startswith("Malformed XML")
    assert Article.objects.count() == 0


def test_broken_image_addresses_never_block_the_article(feed_server, source):
    items = "".join(
        f"<item><title>Story {i}</title><guid>broken-{i}</guid><description>Text.</description>"
        f'<enclosure url="{url}" type="image/jpeg" length="1"/></item>'
        for i, url in enumerate(
            ["http://example.org:99999/a.jpg", "http://[::1/b.jpg", "ftp://example.org/c.jpg"]
        )
    )
    feed = f'<rss version="2.0"><channel><title>Broken</title>{items}</channel></rss>'
    report = ingest_source(source=source, location=feed_server.add("/b", feed))
    assert report.new == 3
    assert len(report.errors) == 1 and "Not a valid address" in report.errors[0]
    assert not Article.objects.exclude(lead_image="").exists()
