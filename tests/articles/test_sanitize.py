"""Article bodies are sanitized when saved and render harmless."""

import pytest

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<p>Fine text.</p><script>alert("x")</script>'
    '<img src="https://img.example.org/a.jpg" onerror="alert(1)">'
    '<a href="javascript:alert(2)">click</a>'
    '<p style="color:red" onclick="steal()">styled</p><style>body{display:none}</style>'
    '<iframe src="https://evil.example.org/"></iframe>'
    '<a href="https://example.org/ok">ok link</a>'
)


def test_body_is_sanitized_on_save():
    article = ArticleFactory(body=HOSTILE)
    article.refresh_from_db()
    body = article.body
    for bad in (
        "<script",
        "onerror",
        "javascript:",
        "onclick",
        "style=",
        "<style",
        "<iframe",
        "alert(",
    ):
        assert bad not in body
    assert "Fine text." in body and 'href="https://example.org/ok"' in body


def test_article_page_renders_hostile_body_harmless(client):
    article = ArticleFactory(body=HOSTILE)
    page = client.get(article.get_absolute_url()).content.decode()
    start = page.index('class="article__body"')
    body = page[start : page.index("</div>", start)]
    assert "<script" not in body and "onerror" not in body and "javascript:" not in body
    assert "Fine text." in body
