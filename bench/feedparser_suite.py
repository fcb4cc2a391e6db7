"""How many of feedparser's own test feeds the importer's parser reads (docs/ingestion.md).

Usage: python bench/feedparser_suite.py /path/to/feedparser/tests [folder ...]

feedparser's suite (BSD-2, https://github.com/kurtmckee/feedparser; not shipped here) has
one feed per file, with its HTTP headers and the expected result in a leading comment
("Header: Content-type: ...", "Expect: feed['title'] == '...'"). For each folder this
prints how many feeds ingest.feedxml.parse reads, how many of those meet feedparser's own
expectation, and how many the strict parse without repairs (the importer before issue
30) read.
"""

from __future__ import annotations

import re
import sys
import xml.sax
from pathlib import Path

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.feedxml import parse  # noqa: E402
from ingest.fetch import FetchError  # noqa: E402

HEADER = re.compile(r"^Header:\s*([^:]+):\s*(.*)$", re.MULTILINE)
EXPECT = re.compile(r"^Expect:\s*(.*)$", re.MULTILINE)


def strict_before(data: bytes, content_type: str) -> bool:
    """The old importer: feedparser's own decoding, a SAX error refuses the feed."""
    parsed = feedparser.parse(
        data,
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers={"content-type": content_type} if content_type else None,
    )
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and isinstance(problem, xml.sax.SAXException):
        return False
    return bool(parsed.get("version") or parsed.entries)


def check(path: Path) -> tuple[bool, bool, bool, str]:
    data = path.read_bytes()
    head = data[:2000].decode("latin-1")
    headers = {k.strip().lower(): v.strip() for k, v in HEADER.findall(head)}
    content_type = headers.get("content-type", "")
    before = strict_before(data, content_type)
    try:
        result = parse(data, content_type=content_type)
    except FetchError as exc:
        return before, False, False, str(exc)
    expect = EXPECT.search(head)
    met = False
    if expect:
        try:
            # feedparser's own test expectations, evaluated as its test runner does.
            met = bool(eval(expect.group(1), {}, dict(result.feed)))  # noqa: S307
        except Exception:  # noqa: BLE001 (an expectation about a key we do not produce)
            met = False
    return before, True, met, "; ".join(result.repairs)


def main(root: Path, folders: list[str]) -> None:
    for folder in folders:
        files = sorted((root / folder).rglob("*.xml"))
        counts = [0, 0, 0]
        refused = []
        for path in files:
            before, read, met, why = check(path)
            counts[0] += before
            counts[1] += read
            counts[2] += met
            if not read:
                refused.append(f"  {path.relative_to(root)}: {why}")
        print(
            f"{folder}: {len(files)} feeds; read before {counts[0]}, read now {counts[1]}, "
            f"meeting feedparser's expectation {counts[2]}"
        )
        print("\n".join(refused[:40]))


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    main(Path(sys.argv[1]), sys.argv[2:] or ["entities", "illformed", "encoding"])
