"""Article search: PostgreSQL full-text search, with a plain LIKE fallback on SQLite.

On PostgreSQL the query runs against the trigger-maintained, GIN-indexed `search_vector`
(title weighted over summary over body, see migration 0004), ranked with ts_rank and
highlighted with ts_headline. On SQLite every word must appear in the title, summary or
body. Either way only `Article.objects.published()` is searched, and any input (empty,
10,000 characters, punctuation only) gives a page, never an error.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape, strip_tags
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from .cache import cache_for_anonymous
from .models import Article, Source, Topic
from .selectors import decorate_cards

MAX_QUERY_CHARS = 200
MAX_WORDS = 8
MAX_RANKED = 1000  # PostgreSQL: the newest matches that are ranked and shown
PAGE_SIZE = 20
# Pages beyond this are answered as this one (MAX_RANKED / PAGE_SIZE is 50 anyway).
MAX_PAGE = 1000
SNIPPET_CHARS = 240
HEADLINE_BODY_CHARS = 3000
# Markers ts_headline (and the fallback) put around matches; turned into <mark> only after
# everything else has been escaped, so no text from an article can inject markup.
START, STOP = "\x02", "\x03"
WORD_RE = re.compile(r"\w+", re.UNICODE)
CONFIG = "english"


@dataclass
class SearchForm:
    """The cleaned search parameters."""

    q: str = ""
    source: str = ""
    topic: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> SearchForm:
        def clean(name: str, limit: int) -> str:
            value = request.GET.get(name, "")
            # Control characters (NUL breaks PostgreSQL) become spaces; length is capped.
            value = "".join(ch if ch.isprintable() else " " for ch in value[: limit * 4])
            return " ".join(value.split())[:limit]

        return cls(
            q=clean("q", MAX_QUERY_CHARS), source=clean("source", 120), topic=clean("topic", 80)
        )

    @property
    def words(self) -> list[str]:
        return WORD_RE.findall(self.q)[:MAX_WORDS]

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.source or self.topic)


def _filtered(form: SearchForm) -> QuerySet[Article]:
    articles = Article.objects.published().for_cards()
    if form.source:
        articles = articles.filter(Q(source__slug=form.source) | Q(agency__slug=form.source))
    if form.topic:
        articles = articles.filter(topics__slug=form.topic)
    return articles


def _uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def _pg_query(form: SearchForm) -> SearchQuery:
    # websearch syntax never raises on odd input; we pass only the words, joined by spaces.
    return SearchQuery(" ".join(form.words), config=CONFIG, search_type="websearch")


def search_articles(form: SearchForm) -> QuerySet[Article]:
    """Published articles matching the form, best first (newest first without words)."""
    articles = _filtered(form)
    if not form.words:
        return articles.order_by("-published_at", "-id")
    if _uses_postgres():
        # Unqualified on purpose: inside the subquery the table is aliased (U0), and only
        # the article table has this column, so the name always means the right row.
        vector = RawSQL("search_vector", [], output_field=SearchVectorField())
        query = _pg_query(form)
        # Rank only the newest MAX_RANKED matches: ranking reads every matching row's
        # vector, so a common word would cost more with every article archived, and news
        # readers want recent results anyway. Finding the newest matches uses the GIN
        # index and the dates only.
        # (Ordered by an expression rather than the indexed date column: walking the date
        # index and testing every row's vector is the plan PostgreSQL picks otherwise, and
        # it is the slow one.)
        newest = (
            articles.annotate(vector=vector)
            .filter(vector=query)
            .order_by(Coalesce("published_at", "created_at").desc(), "-id")
            .values("pk")[:MAX_RANKED]
        )
        return (
            Article.objects.filter(pk__in=Subquery(newest))
            .for_cards()
            .annotate(vector=vector, rank=SearchRank(F("vector"), query))
            .order_by("-rank", "-published_at", "-id")
        )
    for word in form.words:
        articles = articles.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    return articles.order_by("-published_at", "-id")


def render_snippet(marked: str) -> SafeString:
    """Escape plain text whose matches are wrapped in START/STOP, then add the <mark>s."""
    text = escape(marked)
    text = text.replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(text)  # every character from the article was escaped just above


def _plain_snippet(article: Article, words: list[str]) -> str:
    """SQLite: the summary, or the first match in the body, with the words marked."""
    text = html.unescape(strip_tags(article.summary or article.body or ""))
    lowered = text.lower()
    first = min((i for i in (lowered.find(w.lower()) for w in words) if i >= 0), default=0)
    start = max(0, first - SNIPPET_CHARS // 3)
    excerpt = text[start : start + SNIPPET_CHARS]
    if words:
        pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
        excerpt = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", excerpt)
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_CHARS < len(text) else ""
    return prefix + excerpt + suffix


def snippets(articles: list[Article], form: SearchForm) -> dict[int, SafeString]:
    """A highlighted snippet per article of one page (one query on PostgreSQL)."""
    if not form.words or not articles:
        return {}
    if _uses_postgres():
        # ts_headline re-parses the whole text: the summary and the body's opening
        # (tags stripped) are enough for a snippet and keep it cheap on long articles.
        text = RawSQL(
            "coalesce(summary, '') || ' ' || "
            "regexp_replace(left(coalesce(body, ''), %s), '<[^>]*>', ' ', 'g')",
            [HEADLINE_BODY_CHARS],
        )
        rows = Article.objects.filter(pk__in=[a.pk for a in articles]).annotate(
            snippet=SearchHeadline(
                text,
                _pg_query(form),
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=40,
                min_words=20,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        # The body's entities (&amp;) become characters again; render_snippet re-escapes.
        return {
            pk: render_snippet(html.unescape(s or ""))
            for pk, s in rows.values_list("pk", "snippet")
        }
    return {a.pk: render_snippet(_plain_snippet(a, form.words)) for a in articles}


@require_safe
@cache_for_anonymous
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
            page_obj = Paginator(search_articles(form), PAGE_SIZE).get_page(page_number)
            found = snippets(list(page_obj.object_list), form)
            for article in page_obj.object_list:
                article.snippet = found.get(article.pk)
            decorate_cards(page_obj.object_list)
        return {
            "page_obj": page_obj,
            "capped": bool(page_obj) and page_obj.paginator.count >= MAX_RANKED,
        }

    params = {k: v for k, v in (("q", form.q), ("source", form.source), ("topic", form.topic)) if v}
    context = {
        "form": form,
        # One value for the fragment's key: the cleaned parameters, hashed (free text
        # joined with ":" could make two searches share a key).
        "fragment_key": hashlib.sha256(
            urlencode({**params, "page": page_number}).encode()
        ).hexdigest(),
        # Lazy: the template keeps the rendered form and results as a fragment under the
        # content version, shared by every reader, so a repeated search runs no query.
        "results": SimpleLazyObject(results),
        "sources": Source.objects.only("name", "slug"),
        "topics": Topic.objects.only("name", "slug"),
        "query_prefix": urlencode(params),
        "too_short": bool(form.q) and not form.words,
    }
    return render(request, "articles/search.html", context)
