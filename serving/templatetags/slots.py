"""`{% page_slot name key %}`: a placeholder filled once the page has rendered (serving/slots.py).

{% load slots %}
{% page_slot "comment-count" article.pk %}

Not `slot`: allauth's template library has a `{% slot %}` of its own, and a template
loading both would get whichever it loaded last.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from ..slots import placeholder

register = template.Library()


@register.simple_tag(name="page_slot")
def slot_tag(name: str, key, how: str = "strict") -> SafeString:
    """`how="loose"`: filled loosely (`serving.slots.placeholder`)."""
    return placeholder(name, key, loose=how == "loose")
