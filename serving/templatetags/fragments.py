"""`{% fragment %}`: a template fragment cached with the dependencies it recorded.

    {% load fragments %}
    {% fragment "article_main" article.pk %}...{% endfragment %}

The key is the name and the values that follow it; what the fragment depends on is
derived while it renders (serving/dependencies.py: the rows and lists it read, plus the
instances among its key values and the rows loaded with them), stored with it, and
checked on every read: a fragment is served only while all of them are unchanged and
before the next scheduled change. A page that prints a cached fragment depends on what
the fragment depends on. Kept in the `fragments` cache alias (local memory in front of
Redis): an entry is checked against the shared versions on every read, so a local copy
is never served stale.
"""

from __future__ import annotations

import hashlib
import time

from django import template
from django.core.cache import caches
from django.db import models

from .. import dependencies
from .. import tags as tag_versions
from ..cache import _clock_margin, _settle, next_scheduled, page_timeout

register = template.Library()

KEY_PREFIX = "fragment:v1:"


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary):
        self.nodelist, self.name, self.vary = nodelist, name, vary

    def render(self, context) -> str:
        # Pages rendered without the site's context (error pages) or an unsaved preview
        # (fragment_timeout 0) keep nothing.
        if not context.get("fragment_timeout"):
            return self.nodelist.render(context)
        values = [v.resolve(context) for v in self.vary]
        raw = "|".join([str(self.name.resolve(context)), *map(str, values)])
        key = KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()
        shown = set()
        for value in values:
            if isinstance(value, models.Model):
                shown |= dependencies.instance_tags(value)
        store = caches["fragments"]
        entry = store.get(key)
        if entry is not None and entry["until"] > time.time():
            found = tag_versions.versions(entry["tags"])
            if found == entry["tags"]:
                dependencies.record(*(t for t in found if t not in entry["loose"]))
                return entry["html"]
        started = time.time()
        with dependencies.recording() as read:
            dependencies.record(*shown)
            html = self.nodelist.render(context)
        read, loose = dependencies.split_loose(read)
        found = tag_versions.versions(read)
        if any(v is None for v in found.values()):
            return html  # the shared cache cannot tell versions: keep nothing
        until = time.time() + page_timeout()
        scheduled = next_scheduled()
        if scheduled is not None:
            until = min(until, scheduled)
        since = started - _clock_margin()
        if any(tag_versions.bumped_at(v) >= since for v in found.values()):
            until = min(until, time.time() + _settle())  # may hold the state before a write
        entry = {"tags": found, "loose": loose, "until": until, "html": html}
        store.set(key, entry, timeout=page_timeout())
        return html


@register.tag
def fragment(parser, token):
    """{% fragment name [value ...] %} ... {% endfragment %}"""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} takes a name and key values.")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
