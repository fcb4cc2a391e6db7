"""The demo feed the site serves itself, so `make run` shows feed ingestion working
without any outside server (on only with DEMO_FEED; see docs/ingestion.md)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape

from .feed import FEED_ITEMS, FEED_TITLE


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


def feed(request: HttpRequest) -> HttpResponse:
    """RSS 2.0 with a few original stories (no dates: see demo/feed.py)."""
    if not settings.DEMO_FEED:
        raise Http404("The demo feed is off.")
    rss = _FeedWithContent(
        title=FEED_TITLE,
        link=f"{settings.SITE_URL}/",
        description="Stories written for the Newsroom demo, served by the site itself.",
        language="en",
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
    response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
    rss.write(response, "utf-8")
    return response
