"""Feed bytes to a parsed feed: the encoding found, the usual breakage repaired, then a
strict parse.

Lenient, then strict. Newspapers' feeds are often not well-formed only because of HTML
named entities used without a DTD (`&nbsp;`, `&eacute;`), a stray `&` in a title, or a
control character pasted from a word processor. Those three are repaired on the decoded
text (entities become character references via `html.entities`, a stray `&` becomes
`&amp;`, control characters are dropped; CDATA sections and comments are left as they
are), and the repaired text must then pass feedparser's strict XML parser: anything else
(a truncated feed, a page that is not a feed) is still refused. Nothing the feed names is
ever fetched or run: feedparser drops DTD entity declarations, and a named entity is only
ever looked up in the HTML table.

Any encoding. The encoding is taken from, in order, the HTTP `charset`, the XML
declaration, a byte-order mark, then the bytes themselves: valid UTF-8 is UTF-8 (XML's
default), anything else is detected by charset-normalizer. A declared encoding that cannot
decode the bytes is passed over for the next clue. The text is handed to feedparser as
UTF-8, so it never guesses again (it read undeclared EUC-KR as windows-1252).
"""

from __future__ import annotations

import codecs
import re
import xml.sax
from dataclasses import dataclass, field
from email.message import Message
from html.entities import html5

import feedparser
from charset_normalizer import from_bytes

from .fetch import FetchError

# Encodings whose labels name a smaller set than what is really sent: read the superset
# (as browsers do: WHATWG Encoding), so a windows-1252 quote in an "ISO-8859-1" feed or
# a CP949 syllable in an "EUC-KR" one is not an error.
SUPERSETS = {
    "ascii": "cp1252",
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "euc_kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
}
BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM it starts with
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})")
TEXT_DECLARATION = re.compile(r"^(\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"'])([^\"']*)")
# What is left alone: CDATA sections and comments (their `&` is literal text), and the
# DOCTYPE's internal subset.
RAW = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.DOTALL)
DECLARED = re.compile(r"<!ENTITY\s+%?\s*([A-Za-z_][A-Za-z0-9._-]*)")
AMPERSAND = re.compile(
    r"&(?:(#[0-9]{1,10};|#[xX][0-9a-fA-F]{1,8};)|([A-Za-z][A-Za-z0-9._-]{0,40});)?"
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
# A numeric character reference naming a character XML forbids (&#0;, &#xD800;).
CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,50})|([0-9]{1,50}));")


@dataclass
class Decoded:
    text: str
    encoding: str
    how: str  # "HTTP charset", "XML declaration", "byte-order mark", "UTF-8", "detected"
    notes: list[str] = field(default_factory=list)


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return SUPERSETS.get(name.replace("-", "_"), name)


def http_charset(content_type: str) -> str:
    """The charset parameter of a Content-Type header, or ""."""
    if not content_type:
        return ""
    message = Message()
    message["content-type"] = content_type
    return message.get_param("charset") or ""


# An HTML page's own declaration, in its first bytes (as browsers look for it).
META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]{1,40})", re.I)


def decode(data: bytes, *, content_type: str = "", html: bool = False) -> Decoded:
    """The feed's text, from the first clue that decodes it; see the module docstring.

    `html`: the document is a web page, whose own declaration is a meta charset.
    """
    notes: list[str] = []
    bom = next(((mark, name) for mark, name in BOMS if data.startswith(mark)), None)
    if html:
        declared, where = META_CHARSET.search(data[:4096]), "meta charset"
    else:
        declared, where = XML_DECLARATION.match(data), "XML declaration"
    clues = [
        (http_charset(content_type), "HTTP charset"),
        (declared.group(1).decode("ascii") if declared else "", where),
        (bom[1] if bom else "", "byte-order mark"),
    ]
    for label, how in clues:
        if not label:
            continue
        codec = _codec(label)
        if codec is None:
            notes.append(f"unknown encoding {label[:40]!r} ({how}) ignored")
            continue
        # A UTF-16/32 declaration in bytes that carry no BOM of that kind says nothing.
        body = data[len(bom[0]) :] if bom and codecs.lookup(bom[1]).name == codec else data
        try:
            return Decoded(body.decode(codec), codec, how, notes)
        except UnicodeDecodeError:
            notes.append(f"the {how} says {label[:40]}, which does not decode it")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "UTF-8", notes)
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise FetchError("Cannot tell the encoding: it is not text.")
    codec = _codec(best.encoding) or best.encoding
    notes.append(f"the encoding was detected as {codec}")
    return Decoded(data.decode(codec, errors="replace"), codec, "detected", notes)


def _xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def repair(text: str) -> tuple[str, list[str]]:
    """Fix what makes most real feeds not well-formed; return the text and what was fixed.

    Outside CDATA sections, comments and the DOCTYPE: an HTML named entity XML does not
    define becomes a numeric character reference; an `&` that starts no reference becomes `&amp;`; a
    reference to a character XML forbids becomes U+FFFD. Everywhere: control characters
    XML forbids are dropped.
    """
    counts = {"entities": 0, "ampersands": 0, "refs": 0}
    declared = set(DECLARED.findall(text[:100_000])) if "<!ENTITY" in text else set()

    def ampersand(match: re.Match) -> str:
        numeric, name = match.groups()
        if numeric:
            digits = numeric[1:-1]
            code = int(digits[1:], 16) if digits[:1] in "xX" else int(digits)
            if _xml_char(code):
                # "&#X41;" is HTML's spelling; XML's is "&#x41;".
                return match.group(0).replace("&#X", "&#x")
            counts["refs"] += 1
            return "&#xFFFD;"
        if name is None:
            counts["ampersands"] += 1
            return "&amp;"
        if name in XML_ENTITIES or (name in declared and name + ";" not in html5):
            # An entity the feed declares itself is left for the strict parser, which
            # refuses it (feedparser drops the declarations): billion laughs, external
            # entities. One named like an HTML entity only ever gets the HTML character.
            return match.group(0)
        chars = html5.get(name + ";")
        if chars is None:
            # Not HTML either: a stray "&" before a word and a semicolon ("AT&T;").
            counts["ampersands"] += 1
            return "&amp;" + match.group(0)[1:]
        counts["entities"] += 1
        return "".join(f"&#{ord(c)};" for c in chars)

    out, last = [], 0
    for raw in RAW.finditer(text):
        out.append(AMPERSAND.sub(ampersand, text[last : raw.start()]))
        out.append(raw.group(0))
        last = raw.end()
    out.append(AMPERSAND.sub(ampersand, text[last:]))
    text, controls = CONTROL.subn("", "".join(out))
    notes = []
    if counts["entities"]:
        notes.append(_plural(counts["entities"], "HTML entity", "HTML entities") + " mapped")
    if counts["ampersands"]:
        notes.append(_plural(counts["ampersands"], "stray &", "stray &s") + " escaped")
    if counts["refs"]:
        notes.append(
            _plural(counts["refs"], "invalid character reference", "invalid character references")
            + " replaced with \ufffd"
        )
    if controls:
        notes.append(_plural(controls, "control character", "control characters") + " dropped")
    return text, notes


def as_utf8(text: str) -> bytes:
    """The text as UTF-8 bytes, its XML declaration saying so."""
    text = text.removeprefix("\ufeff")
    return TEXT_DECLARATION.sub(r"\g<1>utf-8", text, count=1).encode("utf-8")


@dataclass
class ParsedFeed:
    feed: feedparser.FeedParserDict
    repairs: list[str]  # what was repaired or guessed, for the source's admin row


def parse(data: bytes, *, content_type: str = "") -> ParsedFeed:
    """Decode, repair, then parse strictly; FetchError says why a feed is refused."""
    decoded = decode(data, content_type=content_type)
    text, repairs = repair(decoded.text)
    # feedparser gets bytes, never a string: given a string that looks like a URL it
    # would fetch it itself, without our limits. Its own sanitizer is off because nh3
    # (articles/sanitize.py) is the one that decides what is safe. No base URL either:
    # feedparser would resolve GUIDs against it; entry_from_feed resolves links itself.
    parsed = feedparser.parse(
        as_utf8(text),
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers={"content-type": "application/xml; charset=utf-8"},
    )
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and isinstance(problem, xml.sax.SAXException):
        raise FetchError(f"Malformed XML: {problem}")
    if not parsed.get("version") and not parsed.entries:
        raise FetchError("Not an RSS or Atom feed.")
    return ParsedFeed(parsed, decoded.notes + repairs)
