"""/search/: the form, a page of ranked results and their snippets."""

from __future__ import annotations

import hashlib

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from articles.models import Source, Topic
from articles.selectors import decorate_cards, one_per_story
from serving.cache import cache_for_anonymous

from . import query
from .forms import SearchForm
from .snippets import mark_words, snippets

PAGE_SIZE = 20
# Pages beyond this are answered as this one (MAX_RANKED / PAGE_SIZE is 50 anyway).
MAX_PAGE = 1000


@require_safe
@cache_for_anonymous(query=["q", "source", "topic", "page"])
def search_view(request: HttpRequest) -> HttpResponse:
    """/search/?q=...&source=...&topic=...&page=..."""
    form = SearchForm.from_request(request)
    try:
        page_number = min(max(int(request.GET.get("page", 1)), 1), MAX_PAGE)
    except (TypeError, ValueError):
        page_number = 1

    def results() -> dict:
        page_obj = None
        if not form.is_empty:
            # Each story once: its lead report when it matches, else its newest match.
            found = one_per_story(query.search_articles(form), prefer="lead")
            page_obj = Paginator(found, PAGE_SIZE).get_page(page_number)
            found = snippets(list(page_obj.object_list), form)
            for article in page_obj.object_list:
                # The card prints the snippet in place of the summary (not both), and
                # marks the searched words in the title too.
                article.snippet = found.get(article.pk)
                article.marked_title = mark_words(article.title, form.words)
            decorate_cards(page_obj.object_list)
        return {
            "page_obj": page_obj,
            "capped": bool(page_obj) and page_obj.paginator.count >= query.MAX_RANKED,
        }

    params = {k: v for k, v in (("q", form.q), ("source", form.source), ("topic", form.topic)) if v}
    context = {
        "form": form,
        # One value for the fragment's key: the cleaned parameters, hashed (free text
        # joined with ":" could make two searches share a key).
        "fragment_key": hashlib.sha256(
            urlencode({**params, "page": page_number}).encode()
        ).hexdigest(),
        # Lazy: the template keeps the rendered form and results as a fragment with what
        # it read, shared by every reader, so a repeated search runs no query.
        "results": SimpleLazyObject(results),
        "sources": Source.objects.only("name", "slug"),
        "topics": Topic.objects.only("name", "slug"),
        "query_prefix": urlencode(params),
        # The same search as a feed: new matches in any feed reader.
        "feed_url": f"{reverse('syndication:feed_search_rss')}?{urlencode(params)}",
        "too_short": bool(form.q) and not form.words,
    }
    return render(request, "search/search.html", context)
