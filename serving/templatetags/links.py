"""`{% link "name" [constant args] %}`: `{% url %}` for the site's fixed addresses,
reversed once per process (serving/links.py).

{% load links %}
<a href="{% link 'accounts:settings' %}">Your account</a>
<a href="{% link 'articles:page' 'about' %}">About</a>
"""

from __future__ import annotations

from django import template

from ..links import fixed_url

register = template.Library()


@register.simple_tag(name="link")
def link(name: str, *args) -> str:
    return fixed_url(name, *args)  # escaped as any simple tag's text is
