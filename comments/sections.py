"""What the comments app adds to other apps' pages, through their documented hooks.

- `article_section` is listed in `ARTICLE_PAGE_SECTIONS` (the article page, articles app).
- `profile_section` is listed in `ACCOUNTS_PROFILE_SECTIONS` (the public profile,
  accounts app).
Each returns HTML that this app rendered from its own templates; the host page only
prints it, so neither app imports comments nor includes its templates.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .selectors import PROFILE_COMMENTS, published_comments_by
from .templatetags.comments_tags import comments_section


def article_section(context, article) -> SafeString:
    """The comments section under an article (see comments_tags.comments_section).

    A refused post hands the reader's text back in the page context as
    `comment_form_state` ({"body": ..., "error": ...}), so nothing typed is lost."""
    html = render_to_string("comments/includes/section.html", comments_section(context, article))
    return mark_safe(html)  # rendered by Django's escaping template engine


def profile_section(request, profile_user) -> SafeString:
    """A reader's latest published comments on their public profile (one query)."""
    comments = published_comments_by(profile_user)[:PROFILE_COMMENTS]
    html = render_to_string(
        "comments/includes/profile_comments.html", {"profile_comments": comments}
    )
    return mark_safe(html)  # rendered by Django's escaping template engine
