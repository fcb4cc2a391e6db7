"""Feed fetching over real HTTP: conditional GET, errors, limits, redirects, the admin."""

import socket

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, Source
from ingest.importer import ingest_source
from tests.factories import SourceFactory, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(feed_server):
    return SourceFactory(slug="lantern", feed_url=feed_server.url("/rss"))


def test_request_says_who_we_are(feed_server, source, settings):
    settings.SITE_URL = "https://news.example.org"
    feed_server.add_feed("/rss", "rss2.xml")
    ingest_source(source=source)
    path, headers = feed_server.requests[0]
    assert path == "/rss"
    assert headers["User-Agent"] == "NewsroomBot/1.0 (+https://news.example.org)"


def test_etag_remembered_and_304_costs_no_parsing(feed_server, source):
    feed_server.add_feed("/rss", "rss2.xml", etag='"v1"')
    first = ingest_source(source=source)
    assert first.new == 3
    source.refresh_from_db()
    assert source.feed_state.etag == '"v1"'
    second = ingest_source(source=source)
    assert second.not_modified
    assert "(feed not modified)" in second.line()
    assert second.entries == 0
    assert feed_server.requests[-1][1]["If-None-Match"] == '"v1"'
    source.refresh_from_db()
    assert source.feed_state.last_fetched_at is not None and source.feed_state.last_error == ""


def test_last_modified_remembered(feed_server, source):
    stamp = "Tue, 03 Mar 2026 10:00:00 GMT"
    feed_server.add_feed("/rss", "rss2.xml", last_modified=stamp)
    ingest_source(source=source)
    source.refresh_from_db()
    assert source.feed_state.last_modified == stamp
    assert ingest_source(source=source).not_modified
    assert feed_server.requests[-1][1]["If-Modified-Since"] == stamp


def test_no_conditional_get_for_another_location(feed_server, source):
    # The validators belong to the source's own feed URL, not to a one-off import.
    feed_server.add_feed("/rss", "rss2.xml", etag='"v1"')
    ingest_source(source=source)
    other = feed_server.add_feed("/other", "rss2.xml", etag='"v1"')
    report = ingest_source(source=source, location=other)
    assert not report.not_modified and report.unchanged == 3
    assert "If-None-Match" not in feed_server.requests[-1][1]


@pytest.mark.parametrize(("status", "word"), [(404, "Not Found"), (500, "Internal Server Error")])
def test_http_errors_are_recorded_on_the_source(feed_server, source, status, word):
    feed_server.add("/rss", "nope", status=status)
    report = ingest_source(source=source)
    assert report.failed
    assert report.errors == [f"HTTP {status} {word} from {source.feed_url}."]
    source.refresh_from_db()
    assert source.feed_state.last_error.startswith(f"HTTP {status}")
    assert source.feed_state.consecutive_failures == 1
    ingest_source(source=source)
    source.refresh_from_db()
    assert source.feed_state.consecutive_failures == 2
    # Recovery clears the error and the count.
    feed_server.add_feed("/rss", "rss2.xml")
    assert ingest_source(source=source).new == 3
    source.refresh_from_db()
    assert (source.feed_state.last_error, source.feed_state.consecutive_failures) == ("", 0)


def test_timeout(feed_server, source, settings):
    settings.FEED_TIMEOUT = 0.3
    feed_server.add_feed("/rss", "rss2.xml", delay=1.5)
    report = ingest_source(source=source)
    assert report.failed
    assert "Timed out" in report.errors[0]
    source.refresh_from_db()
    assert "Timed out" in source.feed_state.last_error
    assert Article.objects.count() == 0


def test_a_server_that_drips_its_answer_hits_the_overall_deadline(feed_server, source, settings):
    # Every chunk arrives within the socket timeout, but the whole takes too long.
    settings.FEED_TIMEOUT = 0.5
    feed_server.add_feed("/rss", "rss2.xml", chunk_size=50, chunk_delay=0.1)
    report = ingest_source(source=source)
    assert report.failed
    assert report.errors == [f"Timed out: {source.feed_url} took over 1.5 s in all."]


def test_refused_connection(db, settings):
    settings.FEED_ALLOW_PRIVATE_HOSTS = True
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port any more.
    source = SourceFactory(feed_url=f"http://127.0.0.1:{port}/rss")
    report = ingest_source(source=source)
    assert report.failed
    assert "Connection refused" in report.errors[0]
    source.refresh_from_db()
    assert source.feed_state.consecutive_failures == 1


def test_malformed_xml_is_recorded_and_nothing_imported(feed_server, source):
    feed_server.add_feed("/rss", "malformed.xml")
    report = ingest_source(source=source)
    assert report.failed
    assert report.errors[0].startswith("Malformed XML")
    source.refresh_from_db()
    assert source.feed_state.last_error.startswith("Malformed XML")
    assert Article.objects.count() == 0


def test_not_a_feed(feed_server, source):
    feed_server.add(
        "/rss", "<html><body>Hello</body></html>", headers={"Content-Type": "text/html"}
    )
    report = ingest_source(source=source)
    assert report.failed
    assert Source.objects.get(pk=source.pk).feed_state.last_error


@pytest.mark.parametrize("content_length", [True, False])
def test_twenty_megabyte_feed_refused(feed_server, source, content_length):
    head = feed_server.feed_text("rss2.xml").split("</channel>")[0]
    padding = "<!-- " + "x" * (20 * 1024 * 1024) + " -->"
    feed_server.add("/rss", head + padding + "</channel></rss>", content_length=content_length)
    report = ingest_source(source=source)
    assert report.failed
    assert "Too large" in report.errors[0] and "the limit is 5.2 MB" in report.errors[0]
    assert Article.objects.count() == 0


def test_feed_limit_is_a_setting(feed_server, source, settings):
    settings.FEED_MAX_BYTES = 1000
    feed_server.add_feed("/rss", "rss2.xml")
    assert "Too large" in ingest_source(source=source).errors[0]
    settings.FEED_MAX_BYTES = 100_000
    assert ingest_source(source=source).new == 3


def test_five_redirects_followed_six_refused(feed_server, source):
    feed_server.add_feed("/final", "rss2.xml")
    for n in range(6):
        target = "/final" if n == 5 else f"/hop{n + 1}"
        feed_server.add(f"/hop{n}", status=302, headers={"Location": feed_server.url(target)})
    # /hop1 -> ... -> /hop5 -> /final is five redirects.
    assert ingest_source(source=source, location=feed_server.url("/hop1")).new == 3
    # /hop0 adds a sixth.
    report = ingest_source(source=source, location=feed_server.url("/hop0"))
    assert report.failed
    assert "More than 5 redirects" in report.errors[0]


def test_redirect_to_another_scheme_refused(feed_server, source):
    feed_server.add("/rss", status=301, headers={"Location": "file:///etc/passwd"})
    report = ingest_source(source=source)
    assert report.failed
    assert "Only http and https" in report.errors[0]


def test_private_addresses_refused_unless_allowed(feed_server, source, settings):
    settings.FEED_ALLOW_PRIVATE_HOSTS = False
    feed_server.add_feed("/rss", "rss2.xml")
    report = ingest_source(source=source)
    assert report.failed
    assert "private or local network" in report.errors[0]
    assert feed_server.requests == []


def test_other_schemes_refused(source):
    report = ingest_source(source=source, location="ftp://files.example.org/feed.xml")
    assert report.failed and "Only http and https" in report.errors[0]


def test_ingest_feeds_runs_every_active_source_despite_failures(feed_server, capsys):
    feed_server.add("/images/ferry.jpg", image_bytes())
    feed_server.add("/images/orchard.png", image_bytes("PNG"))
    feed_server.add_feed("/a", "rss2.xml")
    feed_server.add("/b", status=500)
    feed_server.add_feed("/c", "atom.xml")
    SourceFactory(slug="a-good", feed_url=feed_server.url("/a"))
    SourceFactory(slug="b-broken", feed_url=feed_server.url("/b"))
    SourceFactory(slug="c-good", feed_url=feed_server.url("/c"))
    SourceFactory(slug="d-inactive", feed_url=feed_server.url("/a"), is_active=False)
    SourceFactory(slug="e-no-feed")
    call_command("ingest_feeds")
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "a-good: 3 new, 0 updated, 0 unchanged, 0 skipped, 0 errors",
        "b-broken: 0 new, 0 updated, 0 unchanged, 0 skipped, 1 errors",
        "c-good: 2 new, 0 updated, 0 unchanged, 0 skipped, 0 errors",
    ]
    assert "HTTP 500" in captured.err
    assert Article.objects.filter(source__slug="c-good").count() == 2
    assert not Article.objects.filter(source__slug="d-inactive").exists()


def test_admin_source_list_shows_feed_health(client, editor, feed_server, source):
    feed_server.add("/rss", status=500)
    ingest_source(source=source)
    healthy = SourceFactory(slug="healthy", feed_url=feed_server.add_feed("/ok", "rss1.xml"))
    ingest_source(source=healthy)
    waiting = SourceFactory(slug="new-one", feed_url=feed_server.url("/later"))
    client.force_login(editor)
    response = client.get(reverse("admin:articles_source_changelist"))
    statuses = {
        row.name: response.context["cl"].model_admin.feed_status(row)
        for row in response.context["cl"].result_list
    }
    assert statuses[source.name].startswith(
        '<strong>Failing</strong> (1 in a row): <span title="HTTP 500'
    )
    assert statuses[healthy.name] == "OK"
    assert statuses[waiting.name] == "Not fetched yet"
    page = response.content.decode()
    assert "HTTP 500 Internal Server Error" in page
    assert "Fetch now" in page


def test_admin_fetch_now_action(client, editor, feed_server, source):
    feed_server.add("/images/ferry.jpg", image_bytes())
    feed_server.add_feed("/rss", "rss2.xml")
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_source_changelist"),
        {"action": "fetch_now", "_selected_action": [source.pk]},
        follow=True,
    )
    assert response.status_code == 200
    # Queued for the worker (run at once by the tests' immediate task backend).
    assert f"{source.name}: fetch queued" in response.content.decode()
    assert Article.objects.filter(source=source).count() == 3
    source.refresh_from_db()
    assert source.feed_state.last_fetched_at is not None


def test_same_body_without_validators_costs_no_parsing(feed_server, source):
    # No ETag or Last-Modified: the body itself says the feed has not changed.
    feed_server.add_feed("/rss", "rss1.xml")
    first = ingest_source(source=source)
    assert first.new > 0 and not first.errors
    second = ingest_source(source=source)
    assert second.not_modified and second.entries == 0
    source.refresh_from_db()
    assert source.feed_state.last_fetched_at is not None and source.feed_state.last_error == ""
    # A changed body is read again.
    feed_server.add_feed("/rss", "wire.xml")
    third = ingest_source(source=source)
    assert not third.not_modified and third.new > 0


def test_a_body_with_errors_is_read_again(feed_server, source):
    # Its lead image is missing (404): the next poll parses the feed again.
    feed_server.add_feed("/rss", "rss2.xml")
    first = ingest_source(source=source)
    assert first.errors and first.errors[0].startswith("Lead image left out")
    source.refresh_from_db()
    assert source.feed_state.body_sha256 == ""
    again = ingest_source(source=source)
    assert not again.not_modified and again.entries == 3


def test_a_one_off_import_leaves_the_feeds_body_alone(feed_server, source):
    feed_server.add_feed("/rss", "rss1.xml")
    ingest_source(source=source)
    source.refresh_from_db()
    remembered = source.feed_state.body_sha256
    assert len(remembered) == 64
    other = feed_server.add_feed("/other", "wire.xml")
    ingest_source(source=source, location=other)
    source.refresh_from_db()
    assert source.feed_state.body_sha256 == remembered
    assert ingest_source(source=source).not_modified
