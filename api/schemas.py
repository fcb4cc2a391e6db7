"""The shapes the API documents (OpenAPI) and accepts. Responses are built as plain dicts
in api/serialize.py, in exactly these shapes, so `fields=` can drop keys."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, StrictBool

from following.models import available_time_zones

_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


def _iso_8601_only(value):
    """pydantic reads a number (or a string of one) as a Unix time: `0.5` was 1970."""
    if isinstance(value, str) and not _NUMBER.fullmatch(value):
        return value
    if isinstance(value, datetime):
        return value
    raise ValueError("must be an ISO 8601 date and time, such as 2026-01-31T12:00:00Z")


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_8601_only)]


class Problem(Schema):
    """An RFC 9457 problem details body (application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str | None = Field(None, description="Stable machine-readable reason, when there is one.")


class SourceRef(Schema):
    slug: str
    name: str


class TopicRef(Schema):
    slug: str
    name: str


class Source(Schema):
    slug: str
    name: str
    kind: str = Field(description='"publisher" or "agency" (a wire agency).')
    house: bool = Field(description="The site itself: the source of its own reporting.")
    homepage_url: str
    description: str
    url: str = Field(description="The source's page on the web site.")


class Topic(Schema):
    slug: str
    name: str
    description: str
    url: str


class Rendition(Schema):
    format: str = Field(description='"webp" or "jpeg".')
    width: int
    height: int
    url: str


class LeadImage(Schema):
    width: int
    height: int
    alt: str
    caption: str
    credit: str
    renditions: list[Rendition]


class ArticleSummary(Schema):
    id: int
    slug: str
    title: str
    summary: str
    byline: str
    url: str = Field(description="The article's page on the web site.")
    published_at: datetime
    source: SourceRef
    agency: SourceRef | None
    republished: bool = Field(
        description="Copy from another outlet or a wire agency; false for the site's own "
        "reporting (its source is the house)."
    )
    topics: list[TopicRef]
    lead_image: LeadImage | None


class Correction(Schema):
    kind: str = Field(description='"correction" or "update".')
    text: str = Field(description="Plain text.")
    published_at: datetime


class StoryRef(Schema):
    slug: str
    article_count: int = Field(description="How many of its articles readers can see (2 or more).")
    url: str = Field(description="The story's page on the web site.")


class ArticleKeyPoint(Schema):
    text: str = Field(description="A sentence quoted verbatim from this article.")


class ArticleDetail(ArticleSummary):
    body_html: str = Field(description="Sanitized HTML (nh3), safe to render as it is.")
    original_url: str
    comments_enabled: bool
    comment_count: int
    corrections: list[Correction]
    story: StoryRef | None = Field(
        description="The article's story, when readers can see two or more of its articles."
    )
    key_points: list[ArticleKeyPoint] = Field(description="Empty when it has none.")


class Coverage(Schema):
    story: str = Field(description="The story's slug (`/api/v1/stories/{slug}`).")
    url: str = Field(description="The story's page on the web site.")
    other_sources: int = Field(
        description="Other sources readers can see reporting it: the web's \"and N other "
        'sources"; 0 when one source wrote every report.'
    )
    other_reports: int = Field(
        description='Its other published reports: the web\'s "and N more reports" when '
        "`other_sources` is 0."
    )


class ArticleCard(ArticleSummary):
    coverage: Coverage | None = Field(
        description="The story this article reports, when readers can see two or more of its "
        "articles; else null."
    )


class ArticlePage(Schema):
    items: list[ArticleCard]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    next: str | None = Field(description="The next page's full address, or null.")


class SearchHit(ArticleCard):
    snippet_html: str | None = Field(
        description="Plain text with the matched words in <mark>, everything else escaped."
    )


class SearchPage(Schema):
    items: list[SearchHit]
    page: int
    num_pages: int
    count: int


class Author(Schema):
    id: int
    name: str


class PublicComment(Schema):
    id: int
    parent_id: int | None
    status: str = Field(description='"approved", or "removed" (a placeholder, no body).')
    body: str | None = Field(description="Plain text: escape it before showing it.")
    author: Author | None
    created_at: datetime
    edited_at: datetime | None
    featured: bool = Field(description="Picked by the moderators (also listed in `featured`).")
    replies: list[PublicComment]


class CommentThreads(Schema):
    approved_count: int
    page: int
    num_pages: int
    order: str
    featured: list[PublicComment] = Field(
        description="The moderators' picks, the latest first (at most five), on every page; "
        "shown first, above the threads. Their `replies` are empty: each is also in its "
        "thread."
    )
    threads: list[PublicComment]


class OwnComment(Schema):
    id: int
    article: str = Field(description="The article's slug.")
    parent_id: int | None
    status: str = Field(description='"pending", "approved", "rejected", "spam" or "removed".')
    body: str
    created_at: datetime
    edited_at: datetime | None
    editable_until: datetime = Field(description="Edits are refused after this time.")
    url: str


class OwnCommentPage(Schema):
    items: list[OwnComment]
    next_cursor: int | None


class CommentIn(Schema):
    body: str = Field(description="Plain text.")
    parent_id: int | None = Field(None, description="The approved comment this replies to.")


class CommentEdit(Schema):
    body: str


class ReportIn(Schema):
    category: str = Field(
        "other",
        description="What is wrong: spam, abuse, off_topic, misinformation or other.",
        pattern="^(spam|abuse|off_topic|misinformation|other)$",
    )
    reason: str = Field(
        "", description="An optional note for the moderators (up to 300 characters)."
    )


class Reported(Schema):
    reported: bool


class AlsoReported(Schema):
    source_article: str = Field(description="The slug of the article.")
    source: SourceRef


class KeyPointOut(Schema):
    text: str = Field(
        description="A sentence quoted verbatim from `source_article` (or an editor's wording)."
    )
    source_article: str = Field(description="The slug of the article the sentence is from.")
    source: SourceRef
    also_reported_by: list[AlsoReported] = Field(
        description="Later articles of the story that said nearly the same (the sentence "
        "quoted is the earliest report's)."
    )


class StoryArticle(Schema):
    id: int
    slug: str
    title: str
    summary: str
    url: str
    published_at: datetime
    source: SourceRef
    agency: SourceRef | None


class StorySummary(Schema):
    slug: str
    headline: str = Field(description="The lead article's title.")
    article_count: int
    source_count: int
    first_reported_by: SourceRef = Field(
        description="The earliest reported article's source, among vetted sources' articles "
        "(and articles editors approved) when the story has one."
    )
    first_reported_at: datetime
    updated_at: datetime = Field(description="The story's latest change (its list order).")
    url: str


class StoryDetail(StorySummary):
    lead: StoryArticle
    articles: list[StoryArticle] = Field(
        description="Every published article, in the order reported (a feed's claimed time "
        "earlier than the item was first seen by more than a tolerance counts as first seen)."
    )
    key_points: list[KeyPointOut]


class StoryPage(Schema):
    items: list[StorySummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    next: str | None = Field(description="The next page's full address, or null.")


# Following (api/following.py): a signed-in reader's own follows, Following list, briefing.


class FollowIn(Schema):
    kind: str = Field(pattern="^(topic|source|author|story)$", description="What to follow.")
    slug: str = Field(min_length=1, max_length=200, description="Its slug, as in its page's URL.")


class FollowOut(Schema):
    id: int = Field(description="Unfollow with DELETE /api/v1/me/follows/{id}.")
    kind: str = Field(description='"topic", "source", "author" or "story".')
    slug: str
    name: str = Field(description="The topic's, source's or author's name, the story's headline.")
    url: str = Field(description="Its page on the web site.")
    feed_url: str = Field(description="Its RSS feed.")
    since: datetime


class FollowList(Schema):
    items: list[FollowOut]


class FollowingItem(Schema):
    story: StoryRef
    title: str = Field(description="The headline of the story's lead report.")
    source: SourceRef = Field(description="The lead report's source.")
    source_count: int = Field(description="How many sources cover the story.")
    latest_at: datetime = Field(description="When the newest report from what you follow came.")
    new: bool = Field(description="Came after your last visit to the Following page.")


class FollowingPage(Schema):
    items: list[FollowingItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


def _known_time_zone(value: str) -> str:
    if value not in available_time_zones():
        raise ValueError("must be an IANA time zone name, such as Asia/Seoul")
    return value


# The document gives a zone name's form; the server checks the name against its tz
# database on arrival (a 422 `invalid` naming `time_zone`). Listing the ~600 names as an
# enumeration made Schemathesis's coverage phase send each one (45-76 s of a test run).
TimeZone = Annotated[
    str,
    Field(pattern=r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$", max_length=64),
    AfterValidator(_known_time_zone),
]


class BriefingSettings(Schema):
    # Strict: `0` or "yes" is no answer (pydantic would read them as booleans).
    briefing: StrictBool = Field(description="A morning briefing by email (off by default).")
    briefing_time: str = Field(
        pattern="^([01][0-9]|2[0-3]):[0-5][0-9]$", description="Local time, HH:MM (24 h)."
    )
    time_zone: TimeZone = Field(
        description='A time zone of the IANA tz database, e.g. "Asia/Seoul"; a name the '
        "server's database does not have is refused (422 `invalid`).",
        examples=["Asia/Seoul"],
    )
    story_updates: StrictBool = Field(
        description="News on followed stories, at most one mail a day."
    )
