"""Read helpers: each returns comments already shaped for its template, in a fixed number
of queries whatever the number of comments."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.html import format_html

from articles.models import Article
from serving import dependencies
from serving.fragments import kept, key_of

from .models import Ban, Comment, Report, Status, visible_in_thread


@dataclass
class Node:
    """A comment in a thread, with its replies and what the viewer may do with it."""

    comment: Comment
    children: list[Node] = field(default_factory=list)
    is_own: bool = False
    can_edit: bool = False
    card: str = ""  # the card's HTML when it came from the cache (comments_tags.cached_cards)
    # The comment a reply answered when it was moved under the display cap (shown as "in
    # reply to <name>"), when the viewer may see it.
    answered: Comment | None = None

    @property
    def shown(self) -> bool:
        return self.comment.status in (Status.APPROVED, Status.PENDING)

    @property
    def pending(self) -> bool:
        return self.comment.status == Status.PENDING


@dataclass
class CommentPage:
    approved_count: int
    threads: list[Node]
    number: int
    num_pages: int
    order: str
    # The moderators' picks, newest pick first (comments/featured.py), on every page.
    featured: list[Comment] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(raw, num_pages: int) -> int:
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), num_pages)


def article_comments(
    *, article: Article, user, order: str = "oldest", page=1, per_page: int | None = None
) -> CommentPage:
    """One page of threads for the article page: two queries, three with featured ones.

    1. the approved count, the number of visible threads and of featured comments (one
       aggregate);
    2. the page's top-level comments and all their replies, through `thread`, with their
       authors (a sliced subquery picks the page's threads);
    3. only when some are featured: the picks with their authors (`FEATURED_SHOWN`).
    """
    per_page = per_page or settings.COMMENTS_PER_PAGE
    order = "newest" if order == "newest" else "oldest"
    visible = visible_in_thread(user)
    counts = Comment.objects.filter(article=article).aggregate(
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
        roots=Count("pk", filter=Q(parent__isnull=True) & visible),
        featured=Count("pk", filter=Q(status=Status.APPROVED, featured_at__isnull=False)),
    )
    num_pages = max(1, math.ceil(counts["roots"] / per_page))
    number = _page_number(page, num_pages)
    # The second query runs even when there is nothing to show, so the page's query count
    # is the same with 0 comments or 1,000.
    root_order = ("-created_at", "-id") if order == "newest" else ("created_at", "id")
    start = (number - 1) * per_page
    page_roots = (
        Comment.objects.filter(visible, article=article, parent__isnull=True)
        .order_by(*root_order)
        .values("pk")[start : start + per_page]
    )
    rows = list(
        # `article` is implied by the threads but lets SQLite's planner use the article
        # index instead of OR-ing two whole-table indexes (22 ms -> under 1 ms with
        # 100,000 comments); PostgreSQL plans it either way.
        Comment.objects.filter(visible, article=article, thread__in=page_roots)
        .select_related("author")
        .defer("ip_address", "user_agent", "fingerprint")
        .order_by("created_at", "id")
    )
    threads = _build_threads(rows, user, reverse=order == "newest")
    return CommentPage(
        approved_count=counts["approved"],
        threads=threads,
        number=number,
        num_pages=num_pages,
        order=order,
        featured=featured_on(article) if counts["featured"] else [],
    )


FEATURED_SHOWN = 5


def featured_on(article: Article) -> list[Comment]:
    """The article's featured comments (approved ones only), the latest pick first."""
    return list(
        Comment.objects.filter(article=article, status=Status.APPROVED, featured_at__isnull=False)
        .select_related("author")
        .defer("ip_address", "user_agent", "fingerprint")
        .order_by("-featured_at", "-id")[:FEATURED_SHOWN]
    )


def _build_threads(rows: list[Comment], user, *, reverse: bool) -> list[Node]:
    user_id = user.pk if user is not None and user.is_authenticated else None
    edit_after = timezone.now() - timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)
    nodes = {}
    for c in rows:
        own = user_id is not None and c.author_id == user_id
        nodes[c.pk] = Node(
            comment=c,
            is_own=own,
            can_edit=own
            and c.status in (Status.APPROVED, Status.PENDING)
            and c.created_at > edit_after,
        )
    roots = []
    for c in rows:
        node = nodes[c.pk]
        if c.in_reply_to_id in nodes:
            node.answered = nodes[c.in_reply_to_id].comment
        if c.parent_id is None:
            roots.append(node)
        elif c.parent_id in nodes:
            nodes[c.parent_id].children.append(node)
        # A reply whose parent is hidden (rejected, spam) is hidden with it.
    roots.sort(key=lambda n: (n.comment.created_at, n.comment.pk), reverse=reverse)
    return roots


def pending_on(article: Article) -> list[Comment]:
    """The article's comments awaiting a moderator, oldest first (the article page shows
    them to moderators with Approve / Reject / Spam)."""
    return list(
        Comment.objects.filter(article=article, status=Status.PENDING)
        .select_related("author", "parent__author")
        .order_by("created_at", "id")
    )


def moderation_counts() -> dict[str, int]:
    """Pending comments and comments with open reports, for the staff header: one query."""
    return Comment.objects.aggregate(
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        reported=Count(
            "pk",
            filter=Q(Exists(Report.objects.open().filter(comment=OuterRef("pk")))),
        ),
    )


def _approved_counts(article_ids: list[int]) -> dict[int, int]:
    """Approved comments per article, for those that have any: one query."""
    return dict(
        Comment.objects.filter(article_id__in=article_ids)
        .values("article_id")
        .annotate(n=Count("pk", filter=Q(status=Status.APPROVED)))
        .values_list("article_id", "n")
    )


def attach_comment_counts(articles) -> None:
    """Set `.comment_count` (approved comments) on each article: one query for them all.

    The (article, parent, status, created_at) index serves it alone (it holds the status):
    the status is counted with a FILTER, not matched in the WHERE clause. With `status = ?`
    there, SQLite without statistics (no ANALYZE has run: every fresh database) chose the
    (status, created_at) index and read every approved comment of the site to count those
    of 40 cards: 135-185 ms per home render on the benchmark's 100,000 comments, paid
    again after each approval, against 0.4 ms now. The API's article detail prints it;
    the site's cards fill a slot with the same query (`comment_count_slots`).
    """
    articles = list(articles)
    if not articles:
        return
    counts = _approved_counts([a.pk for a in articles])
    for article in articles:
        article.comment_count = counts.get(article.pk, 0)


def mark_count_slots(articles) -> None:
    """The card hook (settings.ARTICLE_CARD_HOOKS): the cards of a list show their comment
    counts, as slots filled once the page has rendered (`comment_count_slots`). No query
    here: the page's fill counts for all its cards at once."""
    # Cards read loosely (an article's related cards) show a count the page does not
    # follow either: "loose" (serving/slots.py).
    slot = "loose" if dependencies.is_loose() else "strict"
    for article in articles:
        article.comment_count_slot = slot


def comment_count_slots(article_ids: list[str]) -> dict[str, str]:
    """The "comment-count" slot of each card (settings.PAGE_SLOTS, serving/slots.py):
    " · N comments" for an article with approved comments, nothing for one without. One
    query for a page's cards, the same as `attach_comment_counts`; the page follows each
    card's count and is filled again, not rendered again, when only a count changed.
    Kept in the fragments cache with what it read, so a signed-in reader's page (filled
    each time) counts again only when a count changed."""
    ids = sorted(int(i) for i in article_ids if i.isdigit())
    how = "loose" if dependencies.is_loose() else "strict"  # kept as it was read
    counts = kept(key_of("comments:counts", how, *ids), lambda: _approved_counts(ids))
    return {
        str(pk): format_html(' · <span class="card__comments">{} comment{}</span>', n, pluralize(n))
        for pk, n in counts.items()
        if n
    }


def published_comments_by(user) -> QuerySet[Comment]:
    """A reader's approved comments on published articles, newest first (profile page)."""
    return (
        Comment.objects.approved()
        .filter(author=user, article__in=Article.objects.published())
        .select_related("article")
        .order_by("-created_at", "-id")
    )


PROFILE_COMMENTS = 20


def author_records(author_ids) -> dict[int, dict]:
    """Approved, rejected and spam counts and active bans per author: two queries."""
    author_ids = list(set(author_ids))
    records = {
        row["author_id"]: {**row, "bans": []}
        for row in Comment.objects.filter(author_id__in=author_ids)
        .values("author_id")
        .annotate(
            approved=Count("pk", filter=Q(status=Status.APPROVED)),
            rejected=Count("pk", filter=Q(status=Status.REJECTED)),
            spam=Count("pk", filter=Q(status=Status.SPAM)),
        )
    }
    for ban in Ban.objects.filter(user_id__in=author_ids).order_by("-created_at"):
        if ban.user_id in records:
            records[ban.user_id]["bans"].append(ban)
    return records
