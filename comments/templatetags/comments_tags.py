"""The article page's comments section and the comment-body filter.

The articles app knows nothing of comments: its page prints what the
`ARTICLE_PAGE_SECTIONS` hook returns, and `comments.sections.article_section` renders
`comments/includes/section.html` with the context `comments_section` builds here.
"""

from __future__ import annotations

from urllib.parse import quote

from django import template
from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from serving import tags as tag_versions
from serving.cache import tag_token
from serving.dependencies import instance_tag, list_tag

from .. import selectors
from ..models import Comment, Report
from ..permissions import (
    ViewerFacts,
    active_ban,
    as_sentence,
    ban_message,
    can_moderate,
    viewer_facts,
)
from ..rules import URL_RE, comments_open
from ..selectors import article_comments, pending_on

register = template.Library()


def cached_cards(threads, *, state: str, authenticated: bool) -> None:
    """Fill `node.card` for every comment of the threads but the reader's own.

    A card is the same for every reader in the same `state` for as long as its comment,
    and the comment it answers when it shows one, are unchanged: it is kept in the
    fragments cache under their tags' versions (a comment's every shown write bumps its
    tag; a commenter's new name bumps all of theirs, comments.signals.author_saved). So
    when a comment is approved the thread renders its new card only: an article page
    printing a hundred comments rendered them all again on every approval. Two cache
    round trips at most (one read, one write of the cards it had to render), and the
    versions' read, usually from this process's memory."""
    nodes, stack = [], list(threads)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if not node.is_own:
            nodes.append(node)
    if not nodes:
        return
    shown = [(n, [n.comment.pk] + ([n.answered.pk] if n.answered else [])) for n in nodes]
    versions = tag_versions.versions({instance_tag(Comment, pk) for _, pks in shown for pk in pks})
    if None in versions.values():
        return  # the shared cache cannot tell: every card rendered, none kept
    prefix = f"comment_card:v2:{state}:{int(authenticated)}"
    keys = [
        (node, ":".join([prefix, *(f"{pk}.{versions[instance_tag(Comment, pk)]}" for pk in pks)]))
        for node, pks in shown
    ]
    fragments = caches["fragments"]
    found = fragments.get_many([key for _, key in keys])
    rendered = {}
    for node, key in keys:
        card = found.get(key)
        if card is None:
            card = rendered[key] = render_to_string(
                "comments/includes/comment_card.html",
                {
                    "node": node,
                    "c": node.comment,
                    "user": {"is_authenticated": authenticated},  # it reads nothing else
                    "state": state,
                    "report_categories": Report.Category.choices,
                },
            )
        node.card = mark_safe(card)  # rendered by Django's escaping template engine
    if rendered:
        fragments.set_many(rendered, settings.PAGE_CACHE_TIMEOUT)


@register.simple_tag(takes_context=True)
def comment_items(context, nodes) -> SafeString:
    """The threads' `<li>` items, replies nested: each card as cached_cards left it
    (`node.card`), else rendered here with the page's context (the reader's own
    comments). Built in Python: a template including itself per comment cost about 0.1
    ms a comment, most of re-rendering a hundred-comment section after an approval."""
    card = context.template.engine.get_template("comments/includes/comment_card.html")
    out: list[str] = []

    def item(node) -> None:
        c = node.comment
        pending = " comment--pending" if node.pending else ""
        removed = "" if node.shown else " comment--removed"
        out.append(f'<li class="comment{pending}{removed}" id="comment-{int(c.pk)}">\n')
        if node.card:
            out.append(node.card)
        else:
            with context.push(node=node, c=c):
                out.append(card.render(context))
        if node.children:
            out.append('\n<ol class="comment-list comment-list--replies">\n')
            for child in node.children:
                item(child)
            out.append("</ol>\n")
        out.append("</li>\n")

    for node in nodes:
        item(node)
    return mark_safe("".join(out))  # cards are escaped by their template; the rest is ours


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


@register.simple_tag
def moderation_counts() -> dict[str, int]:
    """Pending and reported comment counts for the staff header (one query). The header
    calls it only for staff with the moderation permission: staff pages are never in the
    shared page cache, and readers' pages stay free of it."""
    return selectors.moderation_counts()


@register.filter
def sentence(text: str) -> str:
    """A moderator's reason with one full stop at the end, never two."""
    return as_sentence(text)


# Pages of a thread a fragment may stand for; a larger ?cpage= is served as the last page
# but not stored, so made-up page numbers cannot fill the cache.
MAX_CACHED_PAGE = 1000


def _viewer_state(user, article, facts: ViewerFacts) -> dict:
    """What the form area shows (the ban itself is read only for a banned reader)."""
    if not article.is_visible:
        # Staff previewing a draft, scheduled or withdrawn article: a form here would
        # post to an article readers cannot see yet (a 404).
        return {"state": "preview"}
    if not comments_open(article, timezone.now()):
        return {"state": "closed"}
    if not user.is_authenticated:
        return {"state": "anonymous"}
    if facts.banned:
        ban = active_ban(user)
        if ban is not None:
            return {"state": "banned", "ban_message": ban_message(ban)}
    if not facts.confirmed:
        return {"state": "unconfirmed"}
    return {"state": "form"}


def _requested_page(raw) -> int:
    try:
        return max(int(raw), 1)
    except (TypeError, ValueError):
        return 1


def audience(context, article) -> dict:
    """Who is reading the section, and so which copy of it they may share.

    `shared_as` names the readers who see the same thread: "anonymous", signed-in readers
    who may reply ("reply"), and signed-in readers who may not ("read"); None for a reader
    with comments of their own here, whose thread is built for them. One query for a
    signed-in reader (`viewer_facts`), none for an anonymous one."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    params = request.GET if request is not None else {}
    requested = _requested_page(params.get("cpage"))
    facts = viewer_facts(user, article)
    viewer = _viewer_state(user, article, facts)
    if facts.has_own or requested > MAX_CACHED_PAGE:
        shared_as = None
    elif not user.is_authenticated:
        shared_as = "anonymous"
    else:
        shared_as = "reply" if viewer["state"] == "form" else "read"
    return {
        "request": request,
        "user": user,
        "order": "newest" if params.get("order") == "newest" else "oldest",
        "requested": requested,
        "viewer": viewer,
        "shared_as": shared_as,
        "moderates": getattr(user, "is_staff", False) and can_moderate(user),
    }


def thread_token(article) -> str:
    """The shared thread's key part: fresh by the list of its article's comments and the
    article itself (whether comments are open), the tags their writes bump
    (serving/dependencies.py); the page printing the thread depends on them too."""
    return tag_token(list_tag(Comment, "article", article.pk), instance_tag(article))


def shared_section_key(context, article, seen: dict) -> str | None:
    """The fragments-cache key of the whole section for this reader, or None when the
    section holds something of theirs: their own comments, the text of a refused post,
    their ban, a moderator's pending list. Everything else in it is the same for every
    reader with the same `shared_as` and form state, bar the CSRF token, which
    `sections.article_section` puts in per request."""
    if seen["shared_as"] is None or seen["moderates"] or context.get("comment_form_state"):
        return None
    state = seen["viewer"]["state"]
    if state == "banned":
        return None
    return ":".join(
        (
            "comments_section",
            str(article.pk),
            seen["order"],
            str(seen["requested"]),
            seen["shared_as"],
            state,
            thread_token(article),
        )
    )


@register.inclusion_tag("comments/includes/section.html", takes_context=True)
def comments_section(context, article, seen: dict | None = None, csrf_token=None):
    """The whole comments section for `article`.

    The thread (count, comments, order and page links) is the same for every reader who
    has no comment of their own on the article and the same right to reply, so it is a
    fragment shared through the cache under its tags' versions, like the article body:
    a comment becoming visible or not bumps `comments:<id>`, so it is never stale. Building
    it costs two queries on a miss; a signed-in reader adds one (`viewer_facts`). A reader
    with their own comments here gets their thread built for them, pending comments and
    Edit links included.
    """
    seen = seen or audience(context, article)
    request, user, viewer = seen["request"], seen["user"], seen["viewer"]
    order, requested, shared_as = seen["order"], seen["requested"], seen["shared_as"]
    # A refused post re-renders the article page with the reader's text and the message.
    form_state = context.get("comment_form_state") or {}
    article_url = article.get_absolute_url()

    def page_url(number: int, order_: str = order) -> str:
        query = {}
        if order_ == "newest":
            query["order"] = "newest"
        if number > 1:
            query["cpage"] = number
        return f"{article_url}{'?' + urlencode(query) if query else ''}#comments"

    def thread() -> dict:
        # A shared thread is built as nobody's: even if this reader's first comment lands
        # between viewer_facts() and this query, it cannot enter the shared fragment.
        owner = None if shared_as else user
        page = article_comments(article=article, user=owner, order=order, page=requested)
        cached_cards(page.threads, state=viewer["state"], authenticated=user.is_authenticated)
        return {
            "page": page,
            "previous_url": page_url(page.previous_page_number) if page.has_previous else "",
            "next_url": page_url(page.next_page_number) if page.has_next else "",
        }

    thread_version = SimpleLazyObject(lambda: thread_token(article))

    return {
        "article": article,
        # Lazy: built only when the shared fragment is not in the cache.
        "thread": SimpleLazyObject(thread),
        "shared_as": shared_as,
        "order": order,
        "requested_page": requested,
        # The shared thread's key: fresh by its article's comments (comments/signals.py)
        # and the article itself (whether comments are open).
        "thread_version": thread_version,
        "fragment_timeout": context.get("fragment_timeout"),
        "user": user,
        "csrf_token": csrf_token or context.get("csrf_token"),
        "form_body": form_state.get("body", ""),
        "form_error": form_state.get("error", ""),
        "max_length": settings.COMMENTS_MAX_LENGTH,
        # "/" stays readable, "#" is encoded so that it travels inside `next`.
        "login_url": f"{reverse('account_login')}?next={quote(article_url, safe='/')}%23comments",
        "report_categories": Report.Category.choices,
        # Moderators decide on this article's pending comments right here (staff pages are
        # never shared, and readers skip the permission check).
        "pending_for_moderator": SimpleLazyObject(lambda: pending_on(article))
        if seen["moderates"]
        else [],
        "here": request.get_full_path() if request is not None else article_url,
        "oldest_url": page_url(1, "oldest"),
        "newest_url": page_url(1, "newest"),
        **viewer,
    }
