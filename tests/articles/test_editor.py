"""The rich text editor and nh3 share one allow-list; editor output survives, hostile
input does not, and the reader's body renders library pictures and link cards."""

import pytest
from django_prose_editor.config import allowlist_from_extensions, expand_extensions

from articles.admin_forms import ArticleAdminForm
from articles.body import render_body
from articles.library import Image
from articles.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    EDITOR_EXTENSIONS,
    sanitize_html,
)
from tests.factories import ArticleFactory, SourceFactory, image_upload

# What django-prose-editor 0.28 writes for each block the editor offers (copied from its
# output in tests/browser/test_editor_desk.py's screenshots run).
EDITOR_OUTPUT = (
    "<h2>Harbour works</h2>"
    "<h3>Second phase</h3>"
    '<p><strong>Bold</strong> and <em>italic</em>, a <a href="https://example.org/plan">link</a>'
    " and a break<br>here.</p>"
    "<ul><li><p>one</p></li><li><p>two</p></li></ul>"
    '<ol start="3"><li><p>three</p></li></ol>'
    "<blockquote><p>A quotation.</p></blockquote>"
    "<hr>"
    '<figure class="figure"><img src="/media/renditions/abc/harbour-1280.jpg" alt="Cranes"'
    ' data-file="7"><figcaption>The quay at dawn.</figcaption></figure>'
    '<div class="embed"><a href="https://example.org/report">https://example.org/report</a>'
    "</div>"
)

HOSTILE = (
    '<figure class="figure evil" onclick="x()"><img src="javascript:alert(1)" data-file="7"'
    ' onerror="alert(2)"></figure>'
    '<div class="embed" style="position:fixed"><a href="javascript:alert(3)">x</a></div>'
    '<div class="overlay"><iframe src="https://evil.example.org/"></iframe></div>'
    '<p><a href="https://example.org/" target="_top" rel="opener">t</a></p>'
    "<script>alert(4)</script><h1>Big</h1>"
)


def _editor_allowlist():
    return allowlist_from_extensions(expand_extensions(EDITOR_EXTENSIONS))


def test_editor_offers_only_what_nh3_keeps():
    allow = _editor_allowlist()
    assert allow["tags"] <= ALLOWED_TAGS, allow["tags"] - ALLOWED_TAGS
    for tag, attrs in allow["attributes"].items():
        # rel is ours to set (link_rel); class only by value (ALLOWED_CLASSES).
        extra = set(attrs) - ALLOWED_ATTRIBUTES.get(tag, set()) - {"rel"}
        if "class" in extra:
            assert tag in ALLOWED_CLASSES
            extra.discard("class")
        assert not extra, (tag, extra)


def test_editor_output_survives_sanitizing():
    clean = sanitize_html(EDITOR_OUTPUT)
    # Only our rel is added to links; every block is kept as written.
    assert clean == EDITOR_OUTPUT.replace(
        '">link</a>', '" rel="noopener noreferrer nofollow">link</a>'
    ).replace(
        '"https://example.org/report">',
        '"https://example.org/report" rel="noopener noreferrer nofollow">',
    )


def test_hostile_input_is_stripped():
    clean = sanitize_html(HOSTILE)
    for bad in (
        "evil",
        "onclick",
        "javascript:",
        "onerror",
        "style=",
        "iframe",
        "overlay",
        "target=",
        'opener"',
        "<script",
        "<h1",
    ):
        assert bad not in clean, bad
    assert '<figure class="figure">' in clean and '<div class="embed">' in clean


@pytest.mark.django_db
def test_admin_form_sanitizes_the_body():
    form = ArticleAdminForm(
        data={
            "title": "T",
            "slug": "t",
            "body": HOSTILE,
            "source": SourceFactory().pk,
            "status": "draft",
            "comments_enabled": "on",
        }
    )
    form.is_valid()
    assert "javascript:" not in form.cleaned_data["body"]
    assert "<script" not in form.cleaned_data["body"]


@pytest.mark.django_db
def test_library_picture_and_link_card_in_the_reader_body(client):
    image = Image.objects.create(
        file=image_upload("quay.jpg", size=(1600, 900)), title="Quay", alt_text="Cranes at dawn"
    )
    body = (
        f'<figure class="figure"><img src="{image.largest_url}" alt="" data-file="{image.pk}">'
        "<figcaption>The quay.</figcaption></figure>"
        '<div class="embed"><a href="https://www.example.org/report?a=1&amp;b=2">x</a></div>'
    )
    article = ArticleFactory(body=body)
    html = article.body_html
    assert "<picture>" in html and 'type="image/webp"' in html
    assert 'alt="Cranes at dawn"' in html  # the library's alt when the editor left none
    assert 'class="embed-card"' in html and ">example.org</span>" in html
    assert list(article.body_images.all()) == [image]
    page = client.get(article.get_absolute_url()).content.decode()
    body_div = page.split('class="article__body"')[1].split('<section class="share')[0]
    assert 'class="embed-card"' in body_div and "<script" not in body_div


def test_card_escapes_what_it_prints():
    html = render_body(
        '<div class="embed"><a href="https://example.org/&quot;&gt;&lt;b&gt;">x</a></div>', {}
    )
    assert "<b>" not in html


@pytest.mark.django_db
def test_every_write_path_keeps_the_readers_html_in_step_with_the_body():
    from articles.models import Article

    embed = '<div class="embed"><a href="https://example.org/x">x</a></div>'
    article = ArticleFactory(body="<p>old</p>")
    Article.objects.filter(pk=article.pk).update(body=embed + "<script>x()</script>")
    article.refresh_from_db()
    assert 'class="embed-card"' in article.body_html and "<script" not in article.body_html
    article.body = "<p>bulk</p>"
    Article.objects.bulk_update([article], ["body"])
    article.refresh_from_db()
    assert article.body_html == "<p>bulk</p>"
    created = Article.objects.bulk_create(
        [Article(title="B", slug="b", source=article.source, body=embed)]
    )
    created[0].refresh_from_db()
    assert 'class="embed-card"' in created[0].body_html
