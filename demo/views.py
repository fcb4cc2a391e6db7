"""The demo feed the site serves itself, so `make run` shows feed ingestion working
without any outside server (on only with DEMO_FEED; see docs/ingestion.md)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape

from .feed import FEED_ITEMS, FEED_TITLE
from .fulltext import GAZETTE_ARTICLES, GAZETTE_TITLE


class _FeedWithContent(Rss201rev2Feed):
    """RSS 2.0 with each story's body in content:encoded, as newspapers' feeds carry it."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


def _channel(kind: type[Rss201rev2Feed], title: str, description: str) -> Rss201rev2Feed:
    if not settings.DEMO_FEED:
        raise Http404("The demo feed is off.")
    return kind(title=title, link=f"{settings.SITE_URL}/", description=description, language="en")


def _respond(rss: Rss201rev2Feed) -> HttpResponse:
    response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
    rss.write(response, "utf-8")
    return response


def feed(request: HttpRequest) -> HttpResponse:
    """RSS 2.0 with a few original stories (no dates: see demo/feed.py)."""
    rss = _channel(
        _FeedWithContent,
        FEED_TITLE,
        "Stories written for the Newsroom demo, served by the site itself.",
    )
    for guid, title, summary, paragraphs in FEED_ITEMS:
        rss.add_item(
            title=title,
            link=f"{settings.SITE_URL}/demo/{guid}",
            description=summary,
            content="".join(f"<p>{escape(p)}</p>" for p in paragraphs),
            unique_id=guid,
            unique_id_is_permalink=False,
            author_name="Demo desk",
        )
    return _respond(rss)


def gazette_feed(request: HttpRequest) -> HttpResponse:
    """A summary-only feed, as most newspapers publish: one sentence and a link per story.
    Its source has "Fetch the full article" on (demo/fulltext.py)."""
    rss = _channel(
        Rss201rev2Feed, GAZETTE_TITLE, "A demo newspaper whose feed carries summaries only."
    )
    for slug, title, summary, _ in GAZETTE_ARTICLES:
        rss.add_item(
            title=title,
            link=settings.SITE_URL + reverse("demo:gazette_article", args=[slug]),
            description=summary,
            unique_id=f"gazette-{slug}",
            unique_id_is_permalink=False,
        )
    return _respond(rss)


def gazette_article(request: HttpRequest, slug: str) -> HttpResponse:
    """The newspaper's article page, with the furniture real ones have around the text."""
    if not settings.DEMO_FEED:
        raise Http404("The demo feed is off.")
    found = {a[0]: a for a in GAZETTE_ARTICLES}.get(slug)
    if found is None:
        raise Http404("No such demo article.")
    _, title, _, paragraphs = found
    others = [a[1] for a in GAZETTE_ARTICLES if a[0] != slug]
    return render(
        request,
        "demo/gazette_article.html",
        {
            "site": GAZETTE_TITLE,
            "title": title,
            "paragraphs": paragraphs,
            "other": others[0],
            "most_read": others,
            "sections": ["News", "Harbour", "Islands", "Sport", "Weather"],
            "feed_url": reverse("demo:gazette_feed"),
        },
    )
