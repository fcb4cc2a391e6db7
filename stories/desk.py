"""The incoming desk (issue 33, point 4): drafts that feeds brought in, grouped by the
story they belong to, newest first, with their source, time and trust; publish, reject
(withdraw: ingest never imports it again) or open several at once.

Reads are here; the decisions go through articles.publishing, one revision each.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from articles import publishing
from articles.models import Article, Source

from .models import Story

DESK_LIMIT = 300  # drafts on one page: a day of dozens of feeds


@dataclass
class DeskGroup:
    """One story's incoming drafts (or a lone draft that joined no story yet)."""

    story: Story | None
    drafts: list[Article] = field(default_factory=list)

    @property
    def newest(self) -> datetime:
        return max(_when(a) for a in self.drafts)

    @property
    def sources(self) -> int:
        return len({a.source_id for a in self.drafts})


def incoming_drafts(ids: list[int] | None = None):
    """Drafts that came from a feed (they have a GUID), with everything the desk prints
    in the same query: source, agency, story and its lead."""
    drafts = (
        Article.objects.filter(status=Article.Status.DRAFT)
        .exclude(guid="")
        .select_related("source", "agency", "story_membership__story__lead")
        .defer("body")
        .order_by("-created_at", "-id")
    )
    return drafts.filter(pk__in=ids) if ids is not None else drafts


def _when(article: Article) -> datetime:
    return article.published_at or article.created_at


def group_by_story(drafts: list[Article]) -> list[DeskGroup]:
    """Drafts of one story together; groups and the drafts inside them newest first."""
    groups: dict[object, DeskGroup] = {}
    for article in drafts:
        membership = getattr(article, "story_membership", None)
        story = membership.story if membership else None
        key = story.pk if story else f"article-{article.pk}"
        groups.setdefault(key, DeskGroup(story=story)).drafts.append(article)
    for group in groups.values():
        group.drafts.sort(key=lambda a: (_when(a), a.pk), reverse=True)
    return sorted(groups.values(), key=lambda g: g.newest, reverse=True)


def counts_per_source(drafts: list[Article]) -> list[tuple[Source, int]]:
    """How many incoming drafts each source has, most first."""
    counts = Counter(a.source_id for a in drafts)
    sources = {a.source_id: a.source for a in drafts}
    return [(sources[pk], n) for pk, n in counts.most_common()]


def source_trust(source: Source) -> tuple[str, str]:
    """(label, key) of how far the desk trusts `source` (stories/trust.py's rule: a new
    source leads nothing until an editor vets it): the one place to extend."""
    if source.vetted or source.is_house:
        return "Vetted source", "vetted"
    return "New source", "new"


@transaction.atomic
def publish_drafts(*, articles: list[Article], editor) -> int:
    """Publish now; raises PermissionDenied for an editor who may not publish."""
    now = timezone.now()
    for article in articles:
        publishing.publish(article=article, author=editor, when=now)
    return len(articles)


@transaction.atomic
def reject_drafts(*, articles: list[Article], editor) -> int:
    """Withdraw: off the desk, off the site, never imported again from its feed."""
    for article in articles:
        publishing.withdraw(article=article, author=editor)
    return len(articles)
