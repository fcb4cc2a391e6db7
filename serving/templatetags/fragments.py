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
is never served stale. The keeping is serving/fragments.py's `kept()`, which views use
for data.
"""

from __future__ import annotations

from django import template
from django.db import models

from .. import dependencies
from ..fragments import kept, key_of

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary):
        self.nodelist, self.name, self.vary = nodelist, name, vary

    def render(self, context) -> str:
        # Pages rendered without the site's context (error pages) or an unsaved preview
        # (fragment_timeout 0) keep nothing.
        if not context.get("fragment_timeout"):
            return self.nodelist.render(context)
        values = [v.resolve(context) for v in self.vary]
        shown = set()
        for value in values:
            if isinstance(value, models.Model):
                shown |= dependencies.instance_tags(value)
        key = key_of(self.name.resolve(context), *values)
        return kept(key, lambda: self.nodelist.render(context), shown=shown)


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
