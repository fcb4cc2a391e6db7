"""The following app's public template API: `{% follow_button kind slug name %}`.

    {% load following_tags %}
    {% follow_button "topic" topic.slug topic.name %}

Anonymous readers get a form without a CSRF token (the page stays in the shared cache) that
asks them to sign in and then does the follow; signed-in readers a POST form, one query.
The button keeps its width whatever it says (no layout shift).
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

from .. import services
from ..targets import Target

register = template.Library()


@register.simple_tag(takes_context=True)
def follow_button(context, kind: str, slug: str, name: str = "") -> str:
    request = context.get("request")
    if request is None or not slug:
        return ""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    following = False
    if signed_in:
        following = services.is_following(user=user, target=Target(kind, slug, name))
    return render_to_string(
        "following/includes/follow_button.html",
        {
            "kind": kind,
            "slug": slug,
            "name": name,
            "signed_in": signed_in,
            "following": following,
            "next": request.path,
        },
        request=request if signed_in else None,
    )
