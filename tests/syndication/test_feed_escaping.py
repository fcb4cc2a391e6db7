"""Plain-text summaries reach feed readers as text, never as live markup."""

import xml.etree.ElementTree as ET

import feedparser
import pytest

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
HOSTILE = "</script><script>alert('s')</script> & <b>bold</b>"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_rss_description_is_html_that_shows_the_text(client):
    ArticleFactory(summary=HOSTILE)
    root = ET.fromstring(client.get("/feeds/latest.rss").content)
    description = root.find("channel/item/description").text
    # What a reader renders as HTML: the text, escaped once more.
    assert "<script" not in description
    assert (
        description == "&lt;/script&gt;&lt;script&gt;alert(&#x27;s&#x27;)&lt;/script&gt; "
        "&amp; &lt;b&gt;bold&lt;/b&gt;"
    )


def test_atom_summary_declared_html_is_escaped_html(client):
    ArticleFactory(summary=HOSTILE)
    root = ET.fromstring(client.get("/feeds/latest.atom").content)
    summary = root.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<script" not in summary.text and "<b>" not in summary.text


@pytest.mark.parametrize("path", ["/feeds/latest.rss", "/feeds/latest.atom"])
def test_a_feed_reader_sees_the_plain_text(client, path):
    ArticleFactory(summary=HOSTILE)
    parsed = feedparser.parse(client.get(path).content, sanitize_html=False)
    # feedparser decodes the declared type as a reader would: no live markup comes back.
    assert "<script>" not in parsed.entries[0].summary
    assert "<b>" not in parsed.entries[0].summary
