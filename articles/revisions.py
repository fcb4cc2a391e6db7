"""Revisions a person can read (issue 33): two versions of an article as rendered text,
side by side, with the words added and removed marked, and what changed named in words.

Every word is escaped before it is marked; pictures and links are named in the text
("[Picture: alt text]", "[Link: words → address]") so a changed picture or address shows.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.core.exceptions import FieldDoesNotExist
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from .models import Article

# Snapshot keys (articles/publishing.py) shown as text, in the order of the edit form.
TEXT_FIELDS = ("title", "summary", "body", "byline", "lead_image_alt", "lead_image_caption")
# Snapshot keys that are not a field's own name.
KEY_NAMES = {"image_id": "image", "social_image_id": "social_image", "topic_ids": "topics"}
KEY_NAMES |= {"source_id": "source", "agency_id": "agency"}
BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figure", "div"})
TOKEN = re.compile(r"\n+|[^\s]+")


def label(name: str) -> str:
    """A field's name as the edit form says it ("image" -> "Lead image")."""
    name = KEY_NAMES.get(name, name)
    try:
        field = Article._meta.get_field(name)
    except FieldDoesNotExist:
        return capfirst(name)
    return capfirst(str(getattr(field, "verbose_name", None) or name.replace("_", " ")))


def changes_in_words(changed_fields: list[str]) -> str:
    """["title", "body", "image"] -> "Title, Body, Lead image"."""
    return ", ".join(dict.fromkeys(label(name) for name in changed_fields or ())) or "-"


class _Reader(HTMLParser):
    """HTML to the words a reader sees, with pictures and links named."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.out.append(f" [Picture: {attrs.get('alt') or attrs.get('src') or ''}] ")
        elif tag == "a":
            self.links.append((attrs.get("href") or "", len(self.out)))
            self.out.append(" [Link: ")
        elif tag == "br" or tag in BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href, _ = self.links.pop()
            self.out.append(f" → {href}] ")
        elif tag in BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        self.out.append(data)


def readable(html: str) -> str:
    reader = _Reader()
    reader.feed(html or "")
    reader.close()
    return "".join(reader.out)


def _render(tokens: list[str], mark: str | None) -> str:
    """Escaped words; a run of marked words is one <ins> or <del> up to a line break."""
    lines, words = [], []
    for token in tokens:
        if token.startswith("\n"):
            lines.append(words)
            words = []
        else:
            words.append(escape(token))
    lines.append(words)
    runs = [" ".join(w) for w in lines]
    if mark:
        runs = [f"<{mark}>{run}</{mark}>" if run else "" for run in runs]
    return " <br> ".join(runs).strip()


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """The two texts as HTML: removed words in <del> on the left, added in <ins> on the
    right. Every word is escaped here, before it is marked."""
    a, b = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    left, right = [], []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left.append(_render(a[i1:i2], None if op == "equal" else "del" if i2 > i1 else None))
        right.append(_render(b[j1:j2], None if op == "equal" else "ins" if j2 > j1 else None))
    # Escaped token by token in _render; the only markup is ours.
    return mark_safe(" ".join(p for p in left if p)), mark_safe(" ".join(p for p in right if p))  # noqa: S308


@dataclass
class FieldChange:
    label: str
    older: SafeString
    newer: SafeString
    changed: bool


def compare(old: dict, new: dict) -> tuple[list[FieldChange], str]:
    """The text fields side by side, and every snapshot key that differs, in words."""
    rows = []
    for name in TEXT_FIELDS:
        a, b = str(old.get(name) or ""), str(new.get(name) or "")
        if name == "body":
            a, b = readable(a).strip(), readable(b).strip()
        older, newer = word_diff(a, b)
        rows.append(FieldChange(label(name), older, newer, a != b))
    differing = [key for key in dict.fromkeys([*old, *new]) if old.get(key) != new.get(key)]
    return rows, changes_in_words(_form_order(differing)) if differing else "Nothing"


def _form_order(keys: list[str]) -> list[str]:
    """Snapshot keys in the order of the article's fields (PostgreSQL's jsonb keeps a
    snapshot's keys shortest first, so their stored order says nothing)."""
    order = {}
    for position, field in enumerate(Article._meta.get_fields()):
        order.setdefault(field.name, position)
        order.setdefault(getattr(field, "attname", field.name), position)
    return sorted(keys, key=lambda key: order.get(key, len(order)))
