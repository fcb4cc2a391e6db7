"""Any encoding: the HTTP charset, the XML declaration, a byte-order mark, then detection
(charset-normalizer) over the raw bytes; each family of legacy encodings comes out as the
right Unicode text (issue 30)."""

import pytest

from articles.models import Article
from ingest.feedxml import decode
from ingest.importer import ingest_source
from tests.factories import SourceFactory
from tests.ingest.languages import (
    CHINESE_SIMPLIFIED,
    CHINESE_TRADITIONAL,
    FRENCH,
    GERMAN,
    JAPANESE,
    KOREAN,
    RUSSIAN,
)

pytestmark = pytest.mark.django_db


def feed(text: str, *, declaration: str = '<?xml version="1.0"?>') -> str:
    title = text.split()[0]
    return (
        f'{declaration}\n<rss version="2.0"><channel><title>{title}</title>'
        f"<item><guid>item-1</guid><title>{title}</title>"
        f"<description>{text}</description></item></channel></rss>"
    )


def import_bytes(feed_server, body: bytes, content_type: str = "application/rss+xml"):
    source = SourceFactory(
        feed_url=feed_server.add("/rss", body, headers={"Content-Type": content_type})
    )
    report = ingest_source(source=source)
    assert not report.failed, report.errors
    return Article.objects.get(source=source, guid="item-1"), report


# Undeclared: no charset in the HTTP header, no encoding in the XML declaration, no BOM.
# Each text is about 100-170 characters in a feed of 230-480 bytes: the smallest size at
# which charset-normalizer told every one of these apart was EUC-JP's ~140 characters.
@pytest.mark.parametrize(
    "text, encoding",
    [
        (KOREAN, "euc-kr"),
        (KOREAN, "cp949"),
        (JAPANESE, "shift_jis"),
        (JAPANESE, "euc-jp"),
        (CHINESE_SIMPLIFIED, "gb18030"),
        (CHINESE_TRADITIONAL, "big5"),
        (RUSSIAN, "koi8-r"),
        (RUSSIAN, "windows-1251"),
        (FRENCH, "windows-1252"),
    ],
)
def test_undeclared_legacy_encodings_are_detected(feed_server, text, encoding):
    article, report = import_bytes(feed_server, feed(text).encode(encoding))
    assert article.summary == text
    assert article.title == text.split()[0]
    assert any("detected" in note for note in report.repairs)


@pytest.mark.parametrize(
    "text, encoding",
    [
        (KOREAN, "EUC-KR"),
        (JAPANESE, "Shift_JIS"),
        (CHINESE_SIMPLIFIED, "GB2312"),  # read as GB18030, its superset
        (RUSSIAN, "KOI8-R"),
        (GERMAN, "ISO-8859-15"),  # the euro sign, Š and Ž: not windows-1252
    ],
)
def test_encoding_from_the_http_charset(feed_server, text, encoding):
    body = feed(text).encode(encoding if encoding != "GB2312" else "gb18030")
    article, report = import_bytes(
        feed_server, body, content_type=f"application/rss+xml; charset={encoding}"
    )
    assert article.summary == text
    assert report.repairs == []


def test_encoding_from_the_xml_declaration(feed_server):
    body = feed(GERMAN, declaration='<?xml version="1.0" encoding="iso-8859-15"?>')
    article, _ = import_bytes(feed_server, body.encode("iso-8859-15"))
    assert article.summary == GERMAN


def test_the_http_charset_wins_over_the_declaration(feed_server):
    body = feed(RUSSIAN, declaration='<?xml version="1.0" encoding="koi8-r"?>')
    article, _ = import_bytes(
        feed_server, body.encode("windows-1251"), content_type="text/xml; charset=windows-1251"
    )
    assert article.summary == RUSSIAN


def test_a_charset_that_cannot_decode_the_bytes_is_passed_over(feed_server):
    # The server says UTF-8 (a common default), the feed is EUC-KR and says so.
    body = feed(KOREAN, declaration='<?xml version="1.0" encoding="euc-kr"?>')
    article, report = import_bytes(
        feed_server, body.encode("euc-kr"), content_type="application/xml; charset=utf-8"
    )
    assert article.summary == KOREAN
    assert "the HTTP charset says utf-8, which does not decode it" in report.repairs


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_byte_order_mark(feed_server, encoding):
    article, _ = import_bytes(feed_server, feed(JAPANESE).encode(encoding))
    assert article.summary == JAPANESE


def test_undeclared_utf8_is_utf8_without_a_note(feed_server):
    article, report = import_bytes(feed_server, feed(CHINESE_TRADITIONAL).encode("utf-8"))
    assert article.summary == CHINESE_TRADITIONAL
    assert report.repairs == []


def test_decode_names_where_the_encoding_came_from():
    assert decode(feed(KOREAN).encode("euc-kr")).how == "detected"
    assert decode(feed(KOREAN).encode("utf-8")).how == "UTF-8"
    assert decode(feed(KOREAN).encode("utf-16")).how == "byte-order mark"
    declared = feed(KOREAN, declaration='<?xml version="1.0" encoding="euc-kr"?>')
    assert decode(declared.encode("euc-kr")).how == "XML declaration"
