"""Text for XML documents (feeds, the OPML export): XML 1.0 cannot hold a control
character, escaped or not. Import drops them from feeds' text (ingest/feedxml.py); a name,
headline or byline an editor pasted one into would make Django's feed generator raise (a
500) and an export a file no reader opens, so writers of XML leave them out."""

from __future__ import annotations

import re

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value):
    """`value` without what XML 1.0 forbids (a string; lists and tuples of strings too)."""
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, list | tuple):
        return type(value)(map(xml_text, value))
    return value
