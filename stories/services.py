"""Writes to stories: assignment of an article, editors' decisions, key points.

`assign_article(article_id)` is the one entry point for automatic grouping. It runs off
the request path (stories/tasks.py, queued on commit by stories/signals.py) and is safe
to call any number of times: an unchanged article costs one fingerprint comparison.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article
from serving.dependencies import changed
from serving.tags import bumps_together

from . import keypoints, trust
from .matching import Match, find_match
from .models import ArticleFingerprint, KeyPoint, LshBand, Story, StoryMembership
from .text import Features

logger = logging.getLogger(__name__)
FIELDS = ("title", "summary", "body", "status", "published_at", "created_at", "source_id")


# Part of every text hash: a new version makes every article's analysis (fingerprint,
# embedding, key points) stale, so the next save or `recompute_stories` redoes it.
ANALYSIS_VERSION = "3"  # 2: embeddings, key points from body prose after the opening;
# 3: the title's evidence for blend 4 (quantities, title words, arguments, embeddings)


def _text_hash(article: Article) -> str:
    text = "\x1f".join((ANALYSIS_VERSION, article.title, article.summary, article.body))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _when(article: Article):
    return article.published_at or article.created_at or timezone.now()


def _groupable(article: Article) -> bool:
    """Published and ingested drafts join stories; withdrawn articles leave them."""
    return article.status != Article.Status.WITHDRAWN


def features_of(article: Article) -> Features:
    return Features(title=article.title, summary=article.summary, body=article.body)


def save_fingerprints(pairs: list[tuple[Article, Features]]) -> None:
    """Store articles' signatures and LSH band rows, replacing older ones: four queries
    for any number of articles."""
    ids = [article.pk for article, _ in pairs]
    ArticleFingerprint.objects.filter(article_id__in=ids).delete()
    LshBand.objects.filter(article_id__in=ids).delete()
    ArticleFingerprint.objects.bulk_create(
        (
            ArticleFingerprint(
                article_id=article.pk,
                published_at=_when(article),
                dup_signature=features.dup_signature.tobytes(),
                terms=features.terms_text,
                embedding=features.embedding.tobytes(),
                names=features.names,
                quantities=features.quantities,
                title_terms=features.title_terms,
                title_args=features.title_args,
                title_embeddings=features.title_embeddings.tobytes(),
                text_hash=_text_hash(article),
            )
            for article, features in pairs
        ),
        batch_size=1000,
    )
    LshBand.objects.bulk_create(
        (
            LshBand(article_id=article.pk, key=k, published_at=_when(article))
            for article, features in pairs
            for k in set(features.keys)
        ),
        batch_size=5000,
    )


def save_fingerprint(article: Article, features: Features | None = None) -> Features:
    """Store the article's signature and LSH band rows (replacing older ones)."""
    features = features or features_of(article)
    save_fingerprints([(article, features)])
    return features


def save_points(points: dict[int, list[tuple[int, str]]]) -> None:
    """Replace articles' key points ({article id: [(position, sentence)]}); points an
    editor edited or hid are kept. Three queries for any number of articles."""
    kept = set(
        KeyPoint.objects.filter(article_id__in=list(points), edited_by_editor=True).values_list(
            "article_id", "sentence"
        )
    )
    KeyPoint.objects.filter(article_id__in=list(points), edited_by_editor=False).delete()
    KeyPoint.objects.bulk_create(
        (
            KeyPoint(article_id=pk, source_article_id=pk, sentence=s, position=i)
            for pk, found in points.items()
            for i, s in found
            if (pk, s) not in kept
        ),
        batch_size=1000,
    )


def article_points(article: Article) -> list[tuple[int, str]]:
    return keypoints.article_points(article.title, article.summary, article.body)


def save_article_points(article: Article) -> None:
    """Recompute an article's key points; points an editor edited or hid are kept."""
    save_points({article.pk: article_points(article)})


def _new_story(article: Article) -> Story:
    slug = f"{slugify(article.title)[:80].strip('-') or 'story'}-{article.pk}"
    n = 2
    while Story.objects.filter(slug=slug).exists():
        slug, n = f"{slugify(article.title)[:80].strip('-')}-{article.pk}-{n}", n + 1
    return Story.objects.create(slug=slug, lead=article)


def _join(article: Article, match: Match | None, current: StoryMembership | None) -> Story:
    if match is None:
        if current is not None and current.story.memberships.count() == 1:
            story = current.story  # alone already: keep its story (and address)
        else:
            story = _new_story(article)
        reason, evidence = StoryMembership.Reason.FIRST, {}
    else:
        story = Story.objects.get(pk=match.story_id)
        reason, evidence = match.reason, match.evidence
    if current is None:  # read in this transaction: one INSERT, not a SELECT and an INSERT
        StoryMembership.objects.create(
            article_id=article.pk, story=story, reason=reason, evidence=evidence
        )
    else:
        current.story, current.reason, current.evidence = story, reason, evidence
        current.save(update_fields=["story", "reason", "evidence", "joined_at"])
    return story


def refresh_stories(story_ids: Iterable[int | None]) -> None:
    """Counts, lead and key points of stories after their members changed; drop empty ones."""
    for story_id in {s for s in story_ids if s}:
        story = Story.objects.filter(pk=story_id).first()
        if story is not None:
            refresh_story(story)


@dataclass(frozen=True)
class _Member:
    """What the refresh reads of a story's article."""

    pk: int
    status: str
    published_at: datetime | None
    source_id: int
    created_at: datetime
    guid: str
    vetted: bool
    source_vetted: bool
    source_is_house: bool

    @property
    def trusted(self) -> bool:
        """stories.trust.trusted's rule, on the values read here."""
        return self.vetted or self.source_vetted or self.source_is_house

    @property
    def reported(self) -> datetime | None:
        return trust.reported_time(self.published_at, self.created_at, imported=bool(self.guid))

    def visible(self, now: datetime) -> bool:
        at = self.published_at
        return self.status == Article.Status.PUBLISHED and at is not None and at <= now


def refresh_story(story: Story) -> None:
    # Member ids first, then their articles by primary key: a join from Article, or a
    # filter on its publication time, lets SQLite walk the article index by date (10 ms
    # per query at 100,000 articles).
    memberships = dict(StoryMembership.objects.filter(story=story).values_list("pk", "article_id"))
    member_ids = list(memberships.values())
    if not member_ids:
        story.delete()  # its pages go stale with it (serving/dependencies.py)
        return
    rows = [
        _Member(*row)
        for row in Article.objects.filter(pk__in=member_ids).values_list(
            "pk",
            "status",
            "published_at",
            "source_id",
            "created_at",
            "guid",
            "vetted",
            "source__vetted",
            "source__is_house",
        )
    ]
    now = timezone.now()
    published = Article.Status.PUBLISHED
    visible = {r.pk: r.published_at for r in rows if r.visible(now)}
    lead_ok = story.lead_id in member_ids
    if not (story.lead_pinned and lead_ok):
        # A trusted report first (stories/trust.py), then one readers can see, then the
        # earliest reported.
        first = min(
            rows,
            key=lambda r: (not r.trusted, r.status != published, r.reported or now, r.pk),
            default=None,
        )
        story.lead_id = first.pk if first else None
        story.lead_pinned = story.lead_pinned and lead_ok
    story.published_count = len(visible)
    story.source_count = len({r.source_id for r in rows if r.pk in visible})
    story.save(
        update_fields=["lead", "lead_pinned", "published_count", "source_count", "updated_at"]
    )
    # Key points only from trusted reports, earliest reported first.
    save_story_points(story, {r.pk: r.reported for r in rows if r.pk in visible and r.trusted})
    # The counts decide whether its articles' pages link to it ("N sources cover this
    # story"), which no write of a membership says: those pages are stale.
    changed(StoryMembership, memberships)


def save_story_points(story: Story, visible: dict[int, datetime]) -> None:
    """The story's key points: the most central article key points across its trusted
    articles readers can see (`visible`: their ids and reported times, stories/trust.py)."""
    kept = list(KeyPoint.objects.filter(story=story, edited_by_editor=True))
    KeyPoint.objects.filter(story=story, edited_by_editor=False).delete()
    found = KeyPoint.objects.filter(article_id__in=list(visible), hidden=False).values_list(
        "article_id", "position", "source_article_id", "sentence"
    )
    found = sorted(found, key=lambda r: (visible[r[0]], r[0], r[1]))
    taken = [keypoints.token_set(p.sentence) for p in kept]
    rows = [
        (source_id, sentence)
        for _, _, source_id, sentence in found
        if not any(
            keypoints.token_jaccard(sentence, t) >= keypoints.DUPLICATE_JACCARD for t in taken
        )
    ]
    start = max((p.position for p in kept), default=-1) + 1
    limit = max(0, keypoints.MAX_POINTS - len(kept))
    if len({article_id for article_id, _ in rows}) == 1:
        chosen = [[i] for i in range(min(limit, len(rows)))]  # one article: its own, in order
    else:
        chosen = keypoints.story_points(rows, limit=limit)
    KeyPoint.objects.bulk_create(
        KeyPoint(
            story=story,
            source_article_id=rows[group[0]][0],
            sentence=rows[group[0]][1],
            position=start + n,
            also_reported_by=list(
                dict.fromkeys(rows[i][0] for i in group[1:] if rows[i][0] != rows[group[0]][0])
            ),
        )
        for n, group in enumerate(chosen)
    )


def preview_points(article: Article) -> list[KeyPoint]:
    """The key points publishing this (possibly unsaved) article would show, unsaved:
    computed from its text, with the points an editor edited or hid kept as they are."""
    kept = []
    if article.pk is not None:
        kept = list(KeyPoint.objects.filter(article_id=article.pk, edited_by_editor=True))
    taken = {p.sentence for p in kept}
    points = kept + [
        KeyPoint(article=article, source_article=article, sentence=s, position=i)
        for i, s in article_points(article)
        if s not in taken
    ]
    return [
        p
        for p in sorted(points, key=lambda p: (p.position, p.pk is None, p.pk or 0))
        if not p.hidden
    ]


def remove_article(article_id: int) -> None:
    """Take an article out of matching and out of its story (withdrawn or deleted)."""
    membership = StoryMembership.objects.filter(article_id=article_id).first()
    LshBand.objects.filter(article_id=article_id).delete()
    ArticleFingerprint.objects.filter(article_id=article_id).delete()
    if membership is not None:
        membership.delete()
        refresh_stories([membership.story_id])


@transaction.atomic
def assign_article(article_id: int) -> Story | None:
    """Put an article in its story (new or existing) and refresh what depends on it.

    Idempotent. An editor's decision (a locked membership) is never undone; an edited
    article is matched again; a withdrawn one leaves its story. Its dozen writes bump
    their cache tags once, together, at the end (nothing reads a page in between).
    """
    with bumps_together():
        return _assign(article_id)


def _assign(article_id: int) -> Story | None:
    article = Article.objects.filter(pk=article_id).only(*FIELDS).first()
    if article is None or not _groupable(article):
        remove_article(article_id)
        return None
    current = StoryMembership.objects.filter(article_id=article_id).select_related("story").first()
    stored = ArticleFingerprint.objects.filter(article_id=article_id).first()
    unchanged = (
        stored is not None
        and stored.text_hash == _text_hash(article)
        and stored.published_at == _when(article)
    )
    if unchanged and current is not None:
        refresh_story(current.story)  # a status change still moves the counts
        return current.story
    features = save_fingerprint(article)
    if stored is None or stored.text_hash != _text_hash(article):
        save_article_points(article)
    before = current.story_id if current else None
    if current is not None and current.locked:
        story = current.story
    else:
        story = _join(article, find_match(article.pk, _when(article), features), current)
    # The story holds the article, so the refresh keeps it; it is the row as saved.
    refresh_story(story)
    if before != story.pk:
        refresh_stories([before])
    return story


# Editors' decisions: locked memberships, which recomputation keeps.


@transaction.atomic
def split_article(*, article: Article) -> Story:
    """Move an article out of its story into a story of its own, for good."""
    membership = StoryMembership.objects.select_related("story").get(article=article)
    old = membership.story
    others = list(
        StoryMembership.objects.filter(story=old)
        .exclude(pk=membership.pk)
        .values_list("article_id", flat=True)
    )
    story = _new_story(article)
    membership.story = story
    membership.reason = StoryMembership.Reason.SPLIT
    membership.evidence = {"from_story": old.pk, "apart_from": others}
    membership.locked = True
    membership.save()
    refresh_stories([old.pk, story.pk])
    return story


@transaction.atomic
def merge_stories(*, target: Story, others: Iterable[Story]) -> Story:
    """Move every article of `others` into `target`; the moved memberships are locked."""
    other_ids = [s.pk for s in others if s.pk != target.pk]
    StoryMembership.objects.filter(story_id__in=other_ids).update(
        story=target, reason=StoryMembership.Reason.MERGED, locked=True, evidence={}
    )
    # The target's own articles are part of the decision too.
    StoryMembership.objects.filter(story=target).update(locked=True)
    refresh_stories([*other_ids, target.pk])
    return target


@transaction.atomic
def pin_lead(*, story: Story, article: Article) -> Story:
    """Make `article` the story's lead until an editor says otherwise."""
    if not StoryMembership.objects.filter(story=story, article=article).exists():
        raise ValueError("The lead must be one of the story's articles.")
    story.lead = article
    story.lead_pinned = True
    story.save(update_fields=["lead", "lead_pinned", "updated_at"])
    # Locked, so the story (and its address) outlives a recomputation around its lead.
    StoryMembership.objects.filter(story=story, article=article).update(locked=True)
    return story
