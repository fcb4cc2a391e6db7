"""Reader pages of the stories app: a story from every source, and the features page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from articles import selectors as article_selectors
from articles.models import Article
from serving.cache import cache_for_anonymous

from . import selectors, trust
from .models import KeyPoint, Story


@require_safe
@cache_for_anonymous(query=())
def story_detail(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story.objects.only("slug", "lead_id", "lead_pinned"), slug=slug)
    articles = selectors.story_articles(story)
    if not articles:
        raise Http404("No story found.")
    lead = trust.lead_of(story.lead_id, articles)
    sources = {a.source_id for a in articles}
    return render(
        request,
        "stories/story_detail.html",
        {
            "story": story,
            "lead": lead,
            "first": trust.first_report(articles),
            "timeline": articles,
            "others": [a for a in articles if a.pk != lead.pk],
            "source_count": len(sources),
            "points": selectors.story_points(story, articles),
        },
    )


@require_safe
@cache_for_anonymous(query=())
def features(request: HttpRequest) -> HttpResponse:
    """What the AI features are, shown on the site's own articles."""
    story = selectors.example_story()
    article = None
    if story is not None:
        article = story.lead
    else:
        with_points = KeyPoint.objects.filter(article__isnull=False, hidden=False)
        article = (
            Article.objects.published()
            .for_cards()
            .filter(pk__in=with_points.values("article_id"))
            .first()
        )
    points = selectors.article_points(article) if article else []
    story_points = selectors.story_points(story) if story else []
    related = []
    if article is not None:
        related = article_selectors.related_articles(
            article, list(article.topics.values_list("pk", flat=True))
        )[:3]
    return render(
        request,
        "stories/features.html",
        {
            "story": story,
            "article": article,
            "points": points,
            "story_points": story_points,
            "related": related,
        },
    )
