"""What other apps may show of a reader: `{% load accounts_tags %}{% avatar person "small" %}`.

The comments app shows avatars through this tag rather than including accounts' template.
"""

from __future__ import annotations

from django import template

register = template.Library()

TONES = 6  # generated default avatars: the initial on one of six discs (site.css)


@register.inclusion_tag("accounts/includes/avatar.html")
def avatar(person, size: str = "large") -> dict:
    """The reader's picture, or a generated default: their initial on a disc whose colour
    follows from their id, so one reader keeps one colour everywhere."""
    return {"person": person, "size": size, "tone": (person.pk or 0) % TONES}
