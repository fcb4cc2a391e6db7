"""The body prose of an article: the paragraphs a key point may quote.

Key points come only from running prose: never from list items, pictures' captions
(figure, figcaption), pull quotes (blockquote, aside, or a class naming a pull quote),
headings, tables or code, and never a byline ("By Ana Reyes") or a dateline standing
alone ("PORT CALLOW, 3 March"). A dateline opening a paragraph ("PORT CALLOW — Eleven
fishermen...") is cut off, so the sentence quoted is still an exact span of the text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose text is never prose, and those that end a paragraph.
SKIPPED = frozenset(
    "li ul ol dl dt dd figure figcaption blockquote aside h1 h2 h3 h4 h5 h6 table caption "
    "pre code cite header footer nav script style address form select button".split()
)
BLOCKS = SKIPPED | frozenset("p div section article main br hr".split())
VOID = frozenset("br hr img wbr input source embed col area meta link".split())
_SKIPPED_CLASS = re.compile(r"pull|quote|byline|dateline|caption|credit|related", re.IGNORECASE)

BYLINE = re.compile(
    r"^(?:(?:words|reporting|additional reporting|written|photos?|pictures?|story) )?by "
    r"[A-Z][\w.'’-]*|^(?:photo|picture|image|credit|source)s?\s*:",
    re.IGNORECASE,
)
_CAPS = r"[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+)*"
DATELINE_ALONE = re.compile(rf"^{_CAPS}(?:,? [\w .,()]{{0,40}})?$")
DATELINE_START = re.compile(rf"^{_CAPS}(?: \([^)]{{1,40}}\))?(?:, [\w .]{{1,30}})? ?[—–-]+ ")


_BLANK_LINE = re.compile(r"\n\s*\n")


class _Prose(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._buffer: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, skipped by it)
        self._skipping = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        self._buffer = []
        if text:
            self.paragraphs.append(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in BLOCKS:
            self._flush()
        if tag in VOID:
            return
        classes = " ".join(v or "" for k, v in attrs if k == "class")
        skip = tag in SKIPPED or bool(classes and _SKIPPED_CLASS.search(classes))
        self._open.append((tag, skip))
        self._skipping += skip

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self._flush()
        if not any(name == tag for name, _ in self._open):
            return
        while self._open:
            name, skip = self._open.pop()
            self._skipping -= skip
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._buffer.append(data)


def paragraphs(body: str) -> list[str]:
    """The body's prose paragraphs as plain text, in order, bylines and datelines left out."""
    parser = _Prose()
    parser.feed(_BLANK_LINE.sub("<br>", body or ""))  # plain text: blank lines end paragraphs
    parser.close()
    parser._flush()
    found = []
    for text in parser.paragraphs:
        if BYLINE.match(text) and len(text.split()) <= 12:
            continue
        if DATELINE_ALONE.match(text) and len(text.split()) <= 8:
            continue
        text = DATELINE_START.sub("", text, count=1)
        if text:
            found.append(text)
    return found
