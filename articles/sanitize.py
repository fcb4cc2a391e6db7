"""HTML from editors and feeds, made safe once, when it is saved (nh3).

nh3's time grows with nesting depth far faster than with length (20,000 nested `<div>`
took seconds, the same number side by side a tenth of a second), so markup is measured
first: deeper than MAX_DEPTH or with more than MAX_ELEMENTS elements is refused with
MarkupTooComplex, whose message says why, before nh3 sees it. Output this process has just
produced is recognised and not cleaned a second time (the importer cleans an entry, then
Article.save() would clean the same text again).

One allow-list serves both: ALLOWED_TAGS / ALLOWED_ATTRIBUTES / ALLOWED_CLASSES are what
nh3 keeps, and EDITOR_EXTENSIONS (the rich text editor's configuration, see
articles/admin_forms.py) only turns on what that list allows. tests/articles/
test_sanitize.py checks the editor's own allow-list is inside this one.
"""

from __future__ import annotations

import hashlib
import re

import nh3

MAX_DEPTH = 100
MAX_ELEMENTS = 20_000
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)")
# Elements that never hold others, and those a parser closes by itself when a sibling
# opens (an unclosed <p> or <li> does not make the tree deeper).
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
    "param",
    "keygen",
}
SELF_CLOSING_SIBLINGS = {
    "p",
    "li",
    "dt",
    "dd",
    "tr",
    "td",
    "th",
    "option",
    "optgroup",
    "rb",
    "rt",
    "rp",
    "thead",
    "tbody",
    "tfoot",
}
_RECENT_OUTPUTS: dict[bytes, None] = {}
_RECENT_LIMIT = 512

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dl",
    "div",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    # data-file marks an inline image from the library ("library:<id>"), see articles/body.py.
    "img": {"src", "alt", "title", "width", "height", "data-file"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed", "type", "data-type"},
}
# Classes allowed by value, never the class attribute as a whole: a link card (the
# editor's embed block) and the editor's figure are the only classed elements.
ALLOWED_CLASSES = {"div": {"embed"}, "figure": {"figure"}}
# No javascript:, data:, vbscript: or anything else a browser could run.
URL_SCHEMES = {"http", "https", "mailto"}
# The rich text editor (django-prose-editor): headings, lists, links, quotes, bold and
# italic, figures (inline images picked from the library, articles/admin_forms.py) and the
# embed block (static/js/editor-embed.js). Link targets and
# rel are ours to set (nh3's link_rel), so the editor offers neither.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "HorizontalRule": True,
    # autolink off: tiptap's Link is "inclusive" exactly when it autolinks, and an
    # inclusive link grows with every character typed at its end.
    "Link": {
        "enableTarget": False,
        "protocols": ["http", "https", "mailto"],
        "autolink": False,
    },
    "Figure": True,
    "Caption": True,
    "Image": True,
    "Embed": True,
    "NoInjectedStyles": True,  # static/js/editor-extras.js: no inline <style> (CSP)
}
# Tags dropped with everything inside them, not just unwrapped.
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template"}


class MarkupTooComplex(ValueError):
    """The markup nests too deep or has too many elements to be cleaned in bounded time."""


def check_markup(html: str) -> None:
    """Raise MarkupTooComplex when `html` is deeper or larger than the limits.

    A linear scan of the tags: it may overestimate depth (a tag-like string inside a
    comment counts), never underestimate it, so what passes is cheap to clean.
    """
    depth = elements = deepest = 0
    for match in _TAG.finditer(html):
        name = match.group(2).lower()
        if match.group(1):
            if name not in VOID and name not in SELF_CLOSING_SIBLINGS:
                depth = max(depth - 1, 0)
            continue
        elements += 1
        if name not in VOID and name not in SELF_CLOSING_SIBLINGS:
            depth += 1
            deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            raise MarkupTooComplex(
                f"the HTML nests elements more than {MAX_DEPTH} deep, which is refused "
                "(no real article needs it, and cleaning it would take minutes)"
            )
        if elements > MAX_ELEMENTS:
            raise MarkupTooComplex(
                f"the HTML has more than {MAX_ELEMENTS:,} elements, which is refused"
            )


def _digest(html: str) -> bytes:
    return hashlib.blake2b(html.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def sanitize_html(html: str, *, attribute_filter=None) -> str:
    """Return `html` with only harmless tags, attributes and URL schemes left.

    `attribute_filter(tag, attr, value)` may rewrite a value (feed ingestion uses it to
    make relative links absolute) or return None to drop the attribute. Raises
    MarkupTooComplex (a ValueError) for markup beyond MAX_DEPTH or MAX_ELEMENTS.
    """
    if not html:
        return ""
    if attribute_filter is None and _digest(html) in _RECENT_OUTPUTS:
        return html  # this process's own output: cleaning it again changes nothing
    check_markup(html)
    cleaned = _clean(html, attribute_filter)
    if len(_RECENT_OUTPUTS) >= _RECENT_LIMIT:
        _RECENT_OUTPUTS.clear()
    _RECENT_OUTPUTS[_digest(cleaned)] = None
    return cleaned


def _clean(html: str, attribute_filter) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
