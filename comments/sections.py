"""What the comments app adds to other apps' pages, through their documented hooks.

- `article_section` is listed in `ARTICLE_PAGE_SECTIONS` (the article page, articles app).
- `profile_section` is listed in `ACCOUNTS_PROFILE_SECTIONS` (the public profile,
  accounts app).
Each returns HTML that this app rendered from its own templates; the host page only
prints it, so neither app imports comments nor includes its templates.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .claims import claimable
from .forms import parse_id
from .models import Report
from .selectors import PROFILE_COMMENTS, published_comments_by
from .templatetags.comments_tags import audience, comments_section, shared_section_key

SECTION = "comments/includes/section.html"
# The CSRF placeholder: random bytes, written as twice as many hex digits.
HOLE_BYTES = 16


def article_section(context, article) -> SafeString:
    """The comments section under an article (see comments_tags.comments_section).

    A refused post hands the reader's text back in the page context as
    `comment_form_state` ({"body": ..., "error": ...}), so nothing typed is lost.

    Most readers share the whole section (comments_tags.shared_section_key): it is kept in
    the fragments cache with a random placeholder where the CSRF token goes, and each
    request puts its own token there. The placeholder is made after every comment in the
    section was written, so no reader's text can contain it."""
    seen = audience(context, article)
    key = shared_section_key(context, article, seen)
    if key is None:
        html = render_to_string(SECTION, comments_section(context, article, seen))
        return mark_safe(report_notice(context, html))  # rendered by Django's templates
    fragments = caches["fragments"]
    # Kept as one string, the placeholder first: a process keeps strings in memory as
    # they are, where a (placeholder, html) pair would be unpickled on every read.
    cached = fragments.get(key)
    if cached is None:
        hole = secrets.token_hex(HOLE_BYTES)
        html = render_to_string(SECTION, comments_section(context, article, seen, hole))
        cached = hole + html
        timeout = context.get("fragment_timeout") or settings.PAGE_CACHE_TIMEOUT
        fragments.set(key, cached, timeout)
    hole, html = cached[: 2 * HOLE_BYTES], cached[2 * HOLE_BYTES :]
    if hole in html:  # only signed-in readers' forms: anonymous pages get no CSRF cookie
        html = html.replace(hole, str(context.get("csrf_token")))
    return mark_safe(report_notice(context, html))  # rendered by Django's escaping template engine


REPORTED = "Thank you. The moderators will look at this comment."
CARD_END = "</article>"  # a card's end tag: readers' text is escaped, so never theirs


def report_notice(context, html: str) -> str:
    """The thank-you of a report sent without JavaScript, right after the reported
    comment's card (the report view sends the reader back with `?reported=<id>`), not at
    the top of the page out of sight. Shown only to a reader who did report it (one
    query, only with the parameter). With JavaScript, static/js/comments.js shows the
    same words in the same place without leaving the page."""
    request = context.get("request")
    pk = parse_id(request.GET.get("reported", "")) if request is not None else None
    user = getattr(request, "user", None)
    if pk is None or not getattr(user, "is_authenticated", False):
        return html
    start = html.find(f'id="comment-{pk}"')
    end = html.find(CARD_END, start) if start >= 0 else -1
    if end < 0 or not Report.objects.filter(comment_id=pk, reporter=user).exists():
        return html
    end += len(CARD_END)
    notice = format_html(
        '<p class="comment__notice" role="status" id="reported-{}">{}</p>', pk, REPORTED
    )
    return html[:end] + notice + html[end:]


def profile_section(request, profile_user) -> SafeString:
    """A reader's latest published comments on their public profile (one query); on
    their own profile, imported comments waiting for them to claim (one more)."""
    comments = published_comments_by(profile_user)[:PROFILE_COMMENTS]
    own = request.user.is_authenticated and request.user.pk == profile_user.pk
    waiting = sum(claimable(profile_user).values()) if own else 0
    html = render_to_string(
        "comments/includes/profile_comments.html",
        {"profile_comments": comments, "imported_waiting": waiting},
    )
    return mark_safe(html)  # rendered by Django's escaping template engine
