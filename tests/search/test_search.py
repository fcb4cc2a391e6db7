"""Search: ranked full-text search on PostgreSQL, LIKE fallback on SQLite, never an error."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from search.forms import SearchForm
from search.query import search_articles
from search.snippets import render_snippet
from tests.factories import ArticleFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

URL = reverse("search:search")


def _titles(response) -> list[str]:
    return [a.title for a in response.context["page_obj"].object_list]


def test_finds_published_articles_only(client):
    ArticleFactory(title="Lighthouse keeper retires", summary="After forty years.")
    ArticleFactory(title="Lighthouse draft story", status=Article.Status.DRAFT)
    ArticleFactory(title="Ferry news", summary="Nothing about the light.")
    response = client.get(URL, {"q": "lighthouse"})
    assert response.status_code == 200
    assert _titles(response) == ["Lighthouse keeper retires"]


def test_title_match_ranks_above_body_match():
    body_hit = ArticleFactory(
        title="Council meeting notes",
        summary="Roads and bins.",
        body="<p>Someone mentioned the marina in passing.</p>",
    )
    title_hit = ArticleFactory(title="Marina expansion approved", summary="Forty berths.")
    found = list(search_articles(SearchForm(q="marina")))
    assert found[0] == title_hit
    assert body_hit in found
    if connection.vendor == "postgresql":
        assert found[0].rank > found[1].rank


def test_all_words_must_match(client):
    ArticleFactory(title="Harbour wall repaired", summary="The storm damage is gone.")
    ArticleFactory(title="Harbour fish market opens", summary="Fresh catch daily.")
    assert _titles(client.get(URL, {"q": "harbour storm"})) == ["Harbour wall repaired"]


def test_stemming_on_postgresql_or_substring_on_sqlite(client):
    ArticleFactory(title="Fishermen protest new quotas")
    # "protests" stems to "protest" on PostgreSQL; on SQLite "protest" is a substring.
    q = "protests" if connection.vendor == "postgresql" else "protest"
    assert _titles(client.get(URL, {"q": q})) == ["Fishermen protest new quotas"]


def test_snippet_highlights_and_escapes(client):
    ArticleFactory(
        title="Night market returns",
        summary="",
        body="<p>Stalls sell &lt;script&gt;alert(1)&lt;/script&gt; toys and lanterns.</p>",
    )
    response = client.get(URL, {"q": "lanterns"})
    body = response.content.decode()
    assert "<mark>lanterns</mark>" in body
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;" in body


def test_render_snippet_escapes_everything_but_marks():
    html = render_snippet('<b onclick="x">\x02bold\x03</b> & more')
    assert html == "&lt;b onclick=&quot;x&quot;&gt;<mark>bold</mark>&lt;/b&gt; &amp; more"


def test_filters_by_source_and_topic(client):
    gazette = SourceFactory(name="Gazette", slug="gazette")
    herald = SourceFactory(name="Herald", slug="herald")
    ports = TopicFactory(name="Ports", slug="ports")
    ArticleFactory(title="Quay works begin", source=gazette, topics=[ports])
    ArticleFactory(title="Quay works delayed", source=herald)
    assert _titles(client.get(URL, {"q": "quay", "source": "gazette"})) == ["Quay works begin"]
    assert _titles(client.get(URL, {"q": "quay", "topic": "ports"})) == ["Quay works begin"]
    assert len(_titles(client.get(URL, {"q": "quay"}))) == 2
    # Filters alone list that source's articles, newest first.
    assert _titles(client.get(URL, {"source": "herald"})) == ["Quay works delayed"]
    page = client.get(URL, {"q": "quay"}).content.decode()
    assert '<select id="search-source" name="source">' in page
    assert '<option value="gazette">Gazette</option>' in page


def test_paginated(client):
    for n in range(25):
        ArticleFactory(title=f"Regatta report {n}")
    first = client.get(URL, {"q": "regatta"})
    assert len(_titles(first)) == 20
    assert first.context["page_obj"].paginator.count == 25
    assert "q=regatta&amp;page=2" in first.content.decode()
    assert len(_titles(client.get(URL, {"q": "regatta", "page": 2}))) == 5
    assert client.get(URL, {"q": "regatta", "page": "999"}).status_code == 200


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "x" * 10_000,
        "!!! ??? ... ;;; '\" ( ) & | ! <-> :*",
        "'; DROP TABLE articles_article; --",
        "a\x00b",
        "ünïcödé 東京 ферри",
        "harbour & | ! (",
        "-",
        '"unterminated',
    ],
)
def test_absurd_queries_get_a_page(client, q):
    ArticleFactory(title="Harbour day")
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert "<h1>Search</h1>" in response.content.decode()


def test_empty_query_invites_a_search(client):
    body = client.get(URL).content.decode()
    assert "Type a few words" in body


def test_header_search_box_points_at_search(client):
    body = client.get("/").content.decode()
    assert f'action="{URL}"' in body


def test_search_query_count_is_fixed(client, django_assert_num_queries):
    for n in range(30):
        ArticleFactory(title=f"Ferry timetable {n}", topics=[TopicFactory(slug=f"t{n % 3}")])
    # count, page, snippets (PostgreSQL only), sources, topics, header topics, footer promo,
    # next scheduled article (page cache), the cards' comment counts and stories ("and N
    # other sources"), whatever the page size.
    expected = 10 if connection.vendor == "postgresql" else 9
    with django_assert_num_queries(expected):
        client.get(URL, {"q": "ferry"})


def test_common_words_rank_only_the_newest_matches(client, monkeypatch):
    """PostgreSQL ranks at most MAX_RANKED matches (the newest); SQLite lists them all."""
    from search import query

    monkeypatch.setattr(query, "MAX_RANKED", 3)
    for n in range(5):
        ArticleFactory(
            title=f"Tide report {n}",
            published_at=timezone.now() - timezone.timedelta(hours=n + 1),
        )
    response = client.get(URL, {"q": "tide"})
    titles = _titles(response)
    if connection.vendor == "postgresql":
        assert sorted(titles) == ["Tide report 0", "Tide report 1", "Tide report 2"]
        assert "The newest 3 of many results" in response.content.decode()
    else:
        assert len(titles) == 5


def test_repeated_search_is_a_shared_fragment_and_still_fresh(
    client, reader, django_assert_num_queries
):
    """Signed-in readers' searches are rendered per request, but the form and results come
    from a fragment under the content version: a repeat costs only the session's query (with its
    user), and a
    newly published article is found at once."""
    ArticleFactory(title="Regatta moved to Sunday")
    client.force_login(reader)
    assert "</mark> moved to Sunday" in client.get(URL, {"q": "regatta"}).content.decode()
    with django_assert_num_queries(1):
        client.get(URL, {"q": "regatta"})
    ArticleFactory(title="Regatta results announced")
    body = client.get(URL, {"q": "regatta"}).content.decode()
    assert "</mark> results announced" in body and "2 results" in body
    # Another page of results, or another filter, is another fragment.
    filtered = client.get(URL, {"q": "regatta", "source": "nope"}).content.decode()
    assert "No articles found" in filtered


def test_search_fragments_never_share_a_key_across_parameters(client, reader):
    """Free text joined with ":" must not make two searches one fragment."""
    ArticleFactory(title="Ferry a:b timetable")
    client.force_login(reader)
    first = client.get(URL, {"q": "a:b", "page": "1"}).content.decode()
    second = client.get(URL, {"q": "a", "source": "b", "page": ":1"}).content.decode()
    assert "No articles found" in second and "No articles found" not in first
    assert client.get(URL, {"q": "ferry", "page": "99999999999"}).status_code == 200
