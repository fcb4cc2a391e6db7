"""The article page's comments section and the comment-body filter.

The articles app knows nothing of comments: its template includes
`comments/section.html`, which calls `{% comments_section article %}` from here.
"""

from __future__ import annotations

from urllib.parse import quote

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from ..moderation import URL_RE, comments_open
from ..permissions import active_ban, ban_message, has_confirmed_email
from ..selectors import article_comments

register = template.Library()

TRAILING = ".,;:!?)]}'\""


def _split_trailing(url: str) -> tuple[str, str]:
    """Leave sentence punctuation after a URL out of the link ("see https://x.org.")."""
    trail = ""
    while url and url[-1] in TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        trail = url[-1] + trail
        url = url[:-1]
    return url, trail


@register.filter(is_safe=False)
def comment_body(text: str) -> SafeString:
    """Plain reader text to HTML: everything escaped, http(s) URLs made links with
    rel="nofollow ugc noopener", line breaks kept.

    Every piece of the reader's text passes through escape() or format_html() before it
    is joined, so the result is safe to mark as such.
    """
    text = str(text or "")
    parts: list[str] = []
    pos = 0
    for match in URL_RE.finditer(text):
        url, trail = _split_trailing(match.group(0))
        parts.append(escape(text[pos : match.start()]))
        if url:
            href = url if url.lower().startswith(("http://", "https://")) else f"https://{url}"
            parts.append(format_html('<a href="{}" rel="nofollow ugc noopener">{}</a>', href, url))
        parts.append(escape(trail))
        pos = match.end()
    parts.append(escape(text[pos:]))
    html = "".join(str(p) for p in parts).replace("\n", "<br>\n")
    return mark_safe(html)  # noqa: S308 - built only from escaped pieces above


def _viewer_state(user, article) -> dict:
    """What the form area shows: a constant number of queries (two at most)."""
    if not comments_open(article, timezone.now()):
        return {"state": "closed"}
    if not user.is_authenticated:
        return {"state": "anonymous"}
    ban = active_ban(user)
    if ban is not None:
        return {"state": "banned", "ban_message": ban_message(ban)}
    if not has_confirmed_email(user):
        return {"state": "unconfirmed"}
    return {"state": "form"}


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comments_section(context, article):
    """The whole comments section for `article`: two queries for the threads and counts,
    two more for a signed-in viewer (ban and confirmed email)."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    params = request.GET if request is not None else {}
    order = "newest" if params.get("order") == "newest" else "oldest"
    page = article_comments(article=article, user=user, order=order, page=params.get("cpage"))
    # A refused post re-renders the article page with the reader's text and the message.
    form_state = getattr(request, "comment_form_state", None) or {}
    article_url = article.get_absolute_url()

    def page_url(number: int, order_: str = order) -> str:
        query = {}
        if order_ == "newest":
            query["order"] = "newest"
        if number > 1:
            query["cpage"] = number
        return f"{article_url}{'?' + urlencode(query) if query else ''}#comments"

    return {
        "article": article,
        "page": page,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "form_body": form_state.get("body", ""),
        "form_error": form_state.get("error", ""),
        "max_length": settings.COMMENTS_MAX_LENGTH,
        # "/" stays readable, "#" is encoded so that it travels inside `next`.
        "login_url": f"{reverse('account_login')}?next={quote(article_url, safe='/')}%23comments",
        "oldest_url": page_url(1, "oldest"),
        "newest_url": page_url(1, "newest"),
        "previous_url": page_url(page.previous_page_number) if page.has_previous else "",
        "next_url": page_url(page.next_page_number) if page.has_next else "",
        **_viewer_state(user, article),
    }
