"""Models to the dicts the API returns (shapes documented in api/schemas.py)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from articles.models import Article, Source, Topic
from comments.models import Comment, Status
from comments.selectors import Node
from serving.sites import absolute_url
from stories import trust
from stories.models import KeyPoint, Story


def _absolute(request: HttpRequest, path: str) -> str:
    """On SITE_URL, never the Host a client sent: cached responses are shared."""
    return absolute_url(path) if path else ""


def source_ref(source: Source | None) -> dict | None:
    return {"slug": source.slug, "name": source.name} if source is not None else None


def source(request: HttpRequest, s: Source) -> dict:
    return {
        "slug": s.slug,
        "name": s.name,
        "kind": s.kind,
        "house": s.is_house,
        "homepage_url": s.homepage_url,
        "description": s.description,
        "url": _absolute(request, s.get_absolute_url()),
    }


def topic(request: HttpRequest, t: Topic) -> dict:
    return {
        "slug": t.slug,
        "name": t.name,
        "description": t.description,
        "url": _absolute(request, t.get_absolute_url()),
    }


def lead_image(request: HttpRequest, article: Article) -> dict | None:
    r = article.renditions or {}  # the library picture's, else the uploaded one's
    width, height = r.get("width"), r.get("height")
    if not width or not height:
        return None
    renditions = [
        {
            "format": fmt,
            "width": w,
            "height": max(1, round(height * w / width)),
            "url": _absolute(request, url),
        }
        for fmt in ("avif", "webp", "jpeg")
        for w, url in r.get(fmt, [])
    ]
    return {
        "width": width,
        "height": height,
        "alt": article.image_alt,
        "caption": article.image_caption,
        "credit": article.image_credit,
        "renditions": renditions,
    }


def article_summary(request: HttpRequest, a: Article) -> dict:
    """Needs source and agency selected and topics prefetched (no query here)."""
    return {
        "id": a.pk,
        "slug": a.slug,
        "title": a.title,
        "summary": a.summary,
        "byline": a.byline,
        "url": _absolute(request, a.get_absolute_url()),
        "published_at": a.published_at,
        "source": source_ref(a.source),
        "agency": source_ref(a.agency),
        "republished": a.is_republished,
        "topics": [{"slug": t.slug, "name": t.name} for t in a.topics.all()],
        "lead_image": lead_image(request, a),
    }


def article_card(request: HttpRequest, a: Article) -> dict:
    """A list's item: the summary and its story's other coverage (`more_coverage`, set by
    stories.lists.attach_coverage), as the web's card line "and N other sources"."""
    more = getattr(a, "more_coverage", None)
    coverage = None
    if more:
        coverage = {
            "story": more["slug"],
            "url": _absolute(request, more["url"]),
            "other_sources": more["sources"],
            "other_reports": more["reports"],
        }
    return {**article_summary(request, a), "coverage": coverage}


def article_detail(
    request: HttpRequest, a: Article, story: Story | None = None, points: list[KeyPoint] = ()
) -> dict:
    """Also needs corrections prefetched and `comment_count` attached; `story` is the one
    the web links to (stories.selectors.coverage), `points` the article's shown key points."""
    return {
        **article_summary(request, a),
        # Sanitized with nh3 and rendered (library pictures, link cards) when saved.
        "body_html": a.body_html or a.body,
        "original_url": a.original_url,
        "comments_enabled": a.comments_enabled,
        "comment_count": getattr(a, "comment_count", 0),
        "corrections": [
            {"kind": c.kind, "text": c.text, "published_at": c.published_at}
            for c in a.corrections.all()
        ],
        "story": story_ref(request, story),
        "key_points": [{"text": p.text} for p in points],
    }


def story_ref(request: HttpRequest, story: Story | None) -> dict | None:
    if story is None:
        return None
    url = _absolute(request, story.get_absolute_url())
    return {"slug": story.slug, "article_count": story.published_count, "url": url}


def story_article(request: HttpRequest, a: Article) -> dict:
    """Needs source and agency selected."""
    return {
        "id": a.pk,
        "slug": a.slug,
        "title": a.title,
        "summary": a.summary,
        "url": _absolute(request, a.get_absolute_url()),
        "published_at": a.published_at,
        "source": source_ref(a.source),
        "agency": source_ref(a.agency),
    }


def story_summary(request: HttpRequest, story: Story, articles: list[Article]) -> dict:
    """`articles`: the story's published ones, sources selected. Lead and first report
    follow the web's story page (stories/trust.py): the stored lead when readers can see
    it, else the first report, which is the earliest reported trusted article."""
    lead = trust.lead_of(story.lead_id, articles)
    first = trust.first_report(articles)
    return {
        "slug": story.slug,
        "headline": lead.title,
        "article_count": len(articles),
        "source_count": len({a.source_id for a in articles}),
        "first_reported_by": source_ref(first.source),
        "first_reported_at": trust.reported_at(first),
        "updated_at": story.updated_at,
        "url": _absolute(request, story.get_absolute_url()),
    }


def story_detail(
    request: HttpRequest, story: Story, articles: list[Article], points: list[KeyPoint]
) -> dict:
    """Key points quoting an article readers cannot see (withdrawn since) are left out."""
    lead = trust.lead_of(story.lead_id, articles)
    visible = {a.pk for a in articles}
    return {
        **story_summary(request, story, articles),
        "lead": story_article(request, lead),
        "articles": [story_article(request, a) for a in articles],
        "key_points": [
            {
                "text": p.text,
                "source_article": p.source_article.slug,
                "source": source_ref(p.source_article.source),
                "also_reported_by": [
                    {"source_article": a.slug, "source": source_ref(a.source)}
                    for a in getattr(p, "also", [])
                ],
            }
            for p in points
            if p.source_article_id in visible
        ],
    }


def public_comment(node: Node) -> dict:
    c = node.comment
    removed = c.status != Status.APPROVED
    return {
        "id": c.pk,
        "parent_id": c.parent_id,
        "status": c.status,
        "body": None if removed else c.body,
        "author": None if removed else {"id": c.author_id, "name": c.author.public_name},
        "created_at": c.created_at,
        "edited_at": c.edited_at,
        "featured": not removed and c.featured_at is not None,
        "replies": [public_comment(child) for child in node.children],
    }


def own_comment(request: HttpRequest, c: Comment, article_slug: str) -> dict:
    return {
        "id": c.pk,
        "article": article_slug,
        "parent_id": c.parent_id,
        "status": c.status,
        "body": c.body,
        "created_at": c.created_at,
        "edited_at": c.edited_at,
        "editable_until": c.created_at + timedelta(minutes=settings.COMMENTS_EDIT_MINUTES),
        "url": _absolute(
            request, f"{reverse('articles:detail', kwargs={'slug': article_slug})}#comment-{c.pk}"
        ),
    }
