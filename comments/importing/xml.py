"""Streaming, hostile-input-safe XML for exports of any size.

lxml's iterparse with defusedxml's policy applied by hand (defusedxml's own lxml module
is deprecated and has no iterparse): no DTD at all (so no entity-expansion bomb and no
external entity), entities never resolved, no network, no "huge tree" lifting of
libxml2's limits. Each element is dropped once read, so memory stays flat whatever the
size of the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from .records import ExportError


def local(element) -> str:
    return etree.QName(element).localname


def iter_elements(path: str) -> Iterator:
    """Yield every element at its end, with its parent still attached; the caller reads
    what it needs, then calls `done(element)`."""
    try:
        events = etree.iterparse(
            path,
            events=("start", "end"),
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        checked = False
        for event, element in events:
            if not checked:
                checked = True
                if element.getroottree().docinfo.internalDTD is not None:
                    raise ExportError(
                        "The export declares a DTD (<!DOCTYPE ... [ ]>), which exports never "
                        "need and entity-expansion attacks use: refused."
                    )
            if event == "end":
                yield element
    except etree.XMLSyntaxError as error:
        raise ExportError(f"Malformed XML: {error}") from None
    except OSError as error:
        raise ExportError(f"Cannot read {path}: {error}") from None


def done(element) -> None:
    """Free an element that has been read, and the siblings read before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def text(element, name: str) -> str:
    """The text of the first child called `name` (any namespace), stripped."""
    for child in element:
        if isinstance(child.tag, str) and local(child) == name:
            return (child.text or "").strip()
    return ""
