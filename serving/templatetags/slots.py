"""`{% slot name key %}`: a placeholder filled once the page has rendered (serving/slots.py).

{% load slots %}
{% slot "comment-count" article.pk %}
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from ..slots import placeholder

register = template.Library()


@register.simple_tag(name="slot")
def slot_tag(name: str, key, how: str = "strict") -> SafeString:
    """`how="loose"`: filled loosely (`serving.slots.placeholder`)."""
    return placeholder(name, key, loose=how == "loose")
