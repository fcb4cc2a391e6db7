"""The results page: each summary once (the snippet stands in for it), the searched words
marked in titles and snippets, and form controls of one height so their labels line up."""

import pytest

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_summary_printed_once_and_words_marked(client):
    ArticleFactory(
        title="Council <votes> on the quay",
        summary="The council agreed to fund new defences along the quay.",
    )
    page = client.get("/search/?q=council").content.decode()
    results = page[page.index('class="card-list search-results"') :]
    assert results.count("agreed to fund new defences") == 1
    assert "<mark>Council</mark> &lt;votes&gt; on the quay" in results
    assert "<mark>council</mark> agreed" in results


def test_other_card_lists_show_the_plain_summary(client):
    ArticleFactory(title="Council votes", summary="Councillors agreed.")
    page = client.get("/").content.decode()
    assert "<mark>" not in page and "Councillors agreed." in page
