"""Highlighted snippets for a page of search results.

ts_headline on PostgreSQL, a plain excerpt on SQLite. Matches are wrapped in START/STOP
markers, turned into <mark> only after everything else has been escaped, so no text from
an article can inject markup.
"""

from __future__ import annotations

import html
import re

from django.contrib.postgres.search import SearchHeadline
from django.db.models.expressions import RawSQL
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article

from .forms import SearchForm
from .query import CONFIG, pg_query, uses_postgres

SNIPPET_CHARS = 240
HEADLINE_BODY_CHARS = 3000
START, STOP = "\x02", "\x03"


def render_snippet(marked: str) -> SafeString:
    """Escape plain text whose matches are wrapped in START/STOP, then add the <mark>s."""
    text = escape(marked)
    text = text.replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(text)  # every character from the article was escaped just above


def mark_words(text: str, words: list[str]) -> SafeString:
    """`text` escaped, with every occurrence of the searched words in <mark> (titles)."""
    if not words:
        return render_snippet(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    return render_snippet(pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text))


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
    if uses_postgres():
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
                pg_query(form),
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
