"""Article search: PostgreSQL full-text search, with a plain LIKE fallback on SQLite.

On PostgreSQL the query runs against the trigger-maintained, GIN-indexed `search_vector`
(title weighted over summary over body, see articles' migration 0004), ranked with ts_rank.
On SQLite every word must appear in the title, summary or body. Either way only
`Article.objects.published()` is searched, and any input (empty, 10,000 characters,
punctuation only) gives results, never an error.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import F, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from articles.models import Article

from .forms import SearchForm

MAX_RANKED = 1000  # PostgreSQL: the newest matches that are ranked and shown
CONFIG = "english"


def _filtered(form: SearchForm) -> QuerySet[Article]:
    articles = Article.objects.published().for_cards()
    if form.source:
        articles = articles.filter(Q(source__slug=form.source) | Q(agency__slug=form.source))
    if form.topic:
        articles = articles.filter(topics__slug=form.topic)
    return articles


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def pg_query(form: SearchForm) -> SearchQuery:
    # websearch syntax never raises on odd input; we pass only the words, joined by spaces.
    return SearchQuery(" ".join(form.words), config=CONFIG, search_type="websearch")


def search_articles(form: SearchForm) -> QuerySet[Article]:
    """Published articles matching the form, best first (newest first without words)."""
    articles = _filtered(form)
    if not form.words:
        return articles.order_by("-published_at", "-id")
    if uses_postgres():
        # Unqualified on purpose: inside the subquery the table is aliased (U0), and only
        # the article table has this column, so the name always means the right row.
        vector = RawSQL("search_vector", [], output_field=SearchVectorField())
        query = pg_query(form)
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
