"""Lenient, then strict: feeds not well-formed only because of HTML named entities, a stray
`&` or control characters are repaired and imported, with a note on the source; real
breakage is still refused, and nothing the feed names is fetched (issue 30)."""

import re

import pytest
from django.urls import reverse

from articles.models import Article
from ingest.feedxml import parse, repair
from ingest.fetch import FetchError
from ingest.importer import ingest_source
from tests.factories import SourceFactory
from tests.ingest.feed_server import FEEDS_DIR

pytestmark = pytest.mark.django_db

REGIONAL = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Talbote &amp; Co</title>
<item><guid>t-1</guid><title>Gr&uuml;&szlig;e aus M&auml;lardalen &mdash; ein Bericht</title>
<description>Marktplatz&nbsp;3: Brot &amp; Butter, Tee & Kaffee, AT&T; und \x0bmehr&hellip;
</description>
</item>
<item><guid>t-2</guid><title>Caf&eacute; reopens</title>
<description><![CDATA[<p>Fish &amp; chips &nbsp; & more</p>]]></description>
</item></channel></rss>"""


def test_entities_ampersands_and_controls_repaired_and_imported(feed_server, client, editor):
    source = SourceFactory(feed_url=feed_server.add("/rss", REGIONAL))
    report = ingest_source(source=source)
    assert (report.failed, report.new) == (False, 2)
    first = Article.objects.get(guid="t-1")
    assert first.title == "Grüße aus Mälardalen — ein Bericht"
    # (The summary is plain text with its whitespace collapsed, the no-break space too.)
    assert first.summary == "Marktplatz 3: Brot & Butter, Tee & Kaffee, AT&T; und mehr…"
    # CDATA is text already: its "&nbsp;" is HTML for the body, not repaired as XML.
    second = Article.objects.get(guid="t-2")
    assert second.title == "Café reopens"
    assert "Fish &amp; chips" in second.body
    state = source.feed_state
    assert state.repairs == (
        "7 HTML entities mapped; 2 stray &s escaped; 1 control character dropped"
    )
    assert state.consecutive_failures == 0
    client.force_login(editor)
    page = client.get(reverse("admin:articles_source_changelist")).content.decode()
    assert "Repaired: <span" in page
    assert "7 HTML entities mapped" in page


def test_a_well_formed_feed_needs_no_repair(feed_server):
    source = SourceFactory(feed_url=feed_server.add_feed("/rss", "rss2.xml"))
    ingest_source(source=source)
    assert source.feed_state.repairs == ""


@pytest.mark.parametrize(
    "body",
    [
        REGIONAL[: len(REGIONAL) // 2],  # truncated in the middle of an item
        REGIONAL.replace("</rss>", ""),  # cut at the end
        REGIONAL.replace("</title>\n<item>", "\n<item>"),  # a tag left open
    ],
)
def test_real_breakage_is_still_refused(feed_server, body):
    source = SourceFactory(feed_url=feed_server.add("/rss", body))
    report = ingest_source(source=source)
    assert report.failed
    assert report.errors[0].startswith("Malformed XML")
    assert Article.objects.count() == 0


def test_an_html_page_is_not_a_feed_even_with_entities(feed_server):
    page = "<html><body><p>Caf&eacute; &amp; bar</p></body></html>"
    source = SourceFactory(feed_url=feed_server.add("/rss", page))
    report = ingest_source(source=source)
    assert report.failed
    assert source.feed_state.last_error


def test_entities_the_feed_declares_are_never_fetched(feed_server):
    secret = feed_server.add("/secret", "the server's own secret")
    body = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret}"><!ENTITY nbsp SYSTEM "{secret}">]>
<rss version="2.0"><channel><title>x</title>
<item><guid>x-1</guid><title>A&nbsp;B &xxe;</title></item></channel></rss>"""
    source = SourceFactory(feed_url=feed_server.add("/rss", body))
    ingest_source(source=source)
    assert "/secret" not in feed_server.paths_requested()
    for article in Article.objects.all():
        assert "secret" not in article.title + article.body


def test_repair_counts_and_leaves_comments_alone():
    text, notes = repair("<a>&copy; <!-- & &nbsp; --> &#0; &#X41; &bogus; x</a>")
    assert text == "<a>&#169; <!-- & &nbsp; --> &#xFFFD; &#x41; &amp;bogus; x</a>"
    assert notes == [
        "1 HTML entity mapped",
        "1 stray & escaped",
        "1 invalid character reference replaced with \ufffd",
    ]


EXPECT = re.compile(r"^Expect:\s*feed\['title'\] == '(.*)'$", re.MULTILINE)


@pytest.mark.parametrize("name", ["auml", "eacute", "hellip", "mdash", "nbsp"])
def test_feedparser_suites_entity_feeds_are_read(name):
    # Copied from feedparser's own tests (BSD-2, tests/ingest/feeds/feedparser/LICENSE).
    data = (FEEDS_DIR / "feedparser" / f"{name}.xml").read_bytes()
    expected = EXPECT.search(data.decode()).group(1).encode().decode("unicode_escape")
    result = parse(data)
    assert result.feed.feed.title == expected
    assert result.repairs == ["1 HTML entity mapped"]


def test_feedparser_suites_truncated_feed_is_refused():
    data = (FEEDS_DIR / "feedparser" / "rss_item_link_corrupted_ampersands.xml").read_bytes()
    with pytest.raises(FetchError, match="Malformed XML"):
        parse(data)
