"""The things a reader can follow, found by kind and slug; their names and addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import reverse

from articles.models import Article, Source, Topic
from stories.models import Story

from .models import Follow
from .selectors import with_visible_leads

KINDS = tuple(Follow.Kind.values)


@dataclass(frozen=True)
class Target:
    """A followable thing: what `Follow` stores, and how the pages name it."""

    kind: str
    slug: str
    name: str
    obj: object | None = None  # the Topic, Source or Story (None for an author)

    def fields(self) -> dict:
        """The Follow fields that name it."""
        if self.kind == Follow.Kind.AUTHOR:
            return {"author_slug": self.slug}
        return {self.kind: self.obj}

    def lookup(self) -> dict:
        """Follow filters that find it by slug alone (no need to load the row first)."""
        if self.kind == Follow.Kind.AUTHOR:
            return {"kind": self.kind, "author_slug": self.slug}
        return {"kind": self.kind, f"{self.kind}__slug": self.slug}

    @property
    def url(self) -> str:
        return page_url(self.kind, self.slug)

    @property
    def feed_url(self) -> str:
        return feed_url(self.kind, self.slug)


# What every followable slug looks like (Django's slug converter, and byline slugs).
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")


def _named(kind: str, slug: str) -> bool:
    """A kind we know and a slug (PostgreSQL refuses a NUL in a query: a 500 before)."""
    return kind in KINDS and isinstance(slug, str) and bool(SLUG.fullmatch(slug))


def find(kind: str, slug: str) -> Target | None:
    """The target a reader asked for, or None (an unknown kind or slug)."""
    if not _named(kind, slug):
        return None
    if kind == Follow.Kind.AUTHOR:
        article = Article.objects.published().filter(byline_slug=slug).only("byline").first()
        return Target(kind, slug, article.byline, None) if article else None
    if kind == Follow.Kind.STORY:
        # As its page: a story with no published report is nothing to follow (drafts join
        # stories), and one led by a draft is named by the report its page leads with.
        story = Story.objects.filter(slug=slug, lead__isnull=False).select_related("lead").first()
        obj = story and with_visible_leads({story.pk: story}).get(story.pk)
    else:
        obj = {"topic": Topic, "source": Source}[kind].objects.filter(slug=slug).first()
    return Target(kind, slug, _name(obj), obj) if obj else None


def followed(user, kind: str, slug: str) -> Target | None:
    """The target of one of the reader's follows, found by kind and slug even when `find`
    no longer finds it (an author with no published article), or None."""
    if not _named(kind, slug):
        return None
    query = Follow.objects.filter(user=user, **Target(kind, slug, slug).lookup())
    found = query.select_related("topic", "source", "story__lead").first()
    return of_follow(found) if found else None


def of_follow(follow: Follow) -> Target:
    """The target of a stored follow (its related row loaded with it)."""
    if follow.kind == Follow.Kind.AUTHOR:
        return Target(follow.kind, follow.author_slug, follow.author_name or follow.author_slug)
    obj = follow.target
    return Target(follow.kind, obj.slug, _name(obj), obj)


def _name(obj) -> str:
    if isinstance(obj, Story):
        # Not the title of a lead readers cannot see (a trusted draft or scheduled report).
        return obj.lead.title if obj.lead_id and obj.lead and obj.lead.is_visible else obj.slug
    return obj.name


def page_url(kind: str, slug: str) -> str:
    name = {
        "topic": "articles:topic",
        "source": "articles:source",
        "author": "articles:author",
        "story": "stories:detail",
    }[kind]
    return reverse(name, kwargs={"slug": slug})


def feed_url(kind: str, slug: str) -> str:
    return reverse(f"syndication:feed_{kind}_rss", kwargs={"slug": slug})
