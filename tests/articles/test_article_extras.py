"""The article page's reading time, "Updated" time, share links and single byline, and
the machine-readable times every page prints."""

import re
from datetime import timedelta

import pytest

from articles.models import Correction
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_reading_time_from_the_body():
    short = ArticleFactory(body="<p>A few words only.</p>")
    long = ArticleFactory(body="<p>" + "word " * 1150 + "</p>")
    assert (short.reading_minutes, long.reading_minutes) == (1, 5)


def test_article_page_prints_reading_time(client):
    article = ArticleFactory(body="<p>" + "word " * 700 + "</p>")
    assert "3 min read" in client.get(article.get_absolute_url()).content.decode()


def test_updated_time_appears_once_a_correction_is_published(client):
    article = ArticleFactory()
    assert "Updated" not in client.get(article.get_absolute_url()).content.decode()
    Correction.objects.create(
        article=article,
        kind=Correction.Kind.UPDATE,
        text="Adds the council's reply.",
        published_at=article.published_at + timedelta(hours=1),
    )
    article.save()  # an editor's save bumps the content version
    page = client.get(article.get_absolute_url()).content.decode()
    assert re.search(r'Updated <time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}">', page)


def test_share_links_load_no_third_party_script(client, settings):
    settings.SITE_URL = "https://news.example.org"
    article = ArticleFactory(title="Ferry & tide")
    page = client.get(article.get_absolute_url()).content.decode()
    share = page[
        page.index('class="share"') : page.index("</section>", page.index('class="share"'))
    ]
    assert "mailto:?subject=Ferry%20%26%20tide" in share
    assert "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fnews.example.org" in share
    assert 'class="share__native" hidden' in share
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert scripts and all(src.startswith("/static/") for src in scripts)


def test_byline_equal_to_the_source_prints_once(client):
    source = SourceFactory(name="Korea Herald", slug="korea-herald")
    article = ArticleFactory(source=source, byline="Korea Herald")
    page = client.get(article.get_absolute_url()).content.decode()
    meta = page[
        page.index('class="article__meta"') : page.index("</p>", page.index("article__meta"))
    ]
    assert meta.count("Korea Herald") == 1
    other = ArticleFactory(source=source, byline="Min-ji Park")
    page = client.get(other.get_absolute_url()).content.decode()
    assert "Min-ji Park" in page


def test_times_print_whole_seconds(client):
    article = ArticleFactory()
    article.published_at = article.published_at.replace(microsecond=305055)
    article.save()
    for url in ("/", article.get_absolute_url()):
        page = client.get(url).content.decode()
        stamps = re.findall(r'<time datetime="([^"]+)"', page)
        assert stamps, url
        for stamp in stamps:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", stamp), stamp


def test_byline_links_to_the_authors_page(client):
    mine = ArticleFactory(byline="Ines Marlow", title="Quay widening starts")
    ArticleFactory(byline="ines marlow", title="Night buses return")
    ArticleFactory(byline="Tomas Reed", title="Someone else's story")
    page = client.get(mine.get_absolute_url()).content.decode()
    assert 'href="/authors/ines-marlow/" rel="author">Ines Marlow</a>' in page
    author = client.get("/authors/ines-marlow/").content.decode()
    assert "Quay widening starts" in author and "Night buses return" in author
    assert "Someone else" not in author and "2 articles under this byline" in author
    assert client.get("/authors/nobody-here/").status_code == 404


def test_byline_slug_follows_every_write_path(client):
    """The author link's slug is derived on save, bulk_create, update and bulk_update, and a
    byline with nothing slugify keeps prints without a link instead of failing the page."""
    from articles.models import Article

    source = SourceFactory()
    [bulk] = Article.objects.bulk_create(
        [Article(title="Bulk", slug="bulk", byline="Ada Brennan", source=source, body="x")]
    )
    assert Article.objects.get(pk=bulk.pk).byline_slug == "ada-brennan"
    Article.objects.filter(pk=bulk.pk).update(byline="Cal Ortiz")
    assert Article.objects.get(pk=bulk.pk).byline_slug == "cal-ortiz"
    bulk.byline = "Dee Yusuf"
    Article.objects.bulk_update([bulk], ["byline"])
    assert Article.objects.get(pk=bulk.pk).byline_slug == "dee-yusuf"
    unsluggable = ArticleFactory(byline="李明", source=source)
    response = client.get(unsluggable.get_absolute_url())
    assert response.status_code == 200
    assert '<span class="article__byline">李明</span>' in response.content.decode()


def test_author_page_lists_only_published_articles(client):
    from articles.models import Article

    ArticleFactory(byline="Rui Tanaka", status=Article.Status.DRAFT)
    assert client.get("/authors/rui-tanaka/").status_code == 404


def test_home_page_shows_each_story_once(client):
    from datetime import timedelta

    from django.utils import timezone

    from articles.views import PAGE_SIZE
    from tests.factories import TopicFactory

    rivers = TopicFactory(in_navigation=True, name="Rivers", slug="rivers", position=0)
    farms = TopicFactory(in_navigation=True, name="Farms", slug="farms", position=1)
    now = timezone.now()
    # The first page's lead and cards: the newest PAGE_SIZE, two of them in both topics.
    for n in range(PAGE_SIZE):
        topics = [rivers, farms] if n < 2 else []
        ArticleFactory(title=f"Recent {n}", topics=topics, published_at=now - timedelta(minutes=n))
    # Older stories in both topics: only the sections can show them.
    for n in range(6):
        ArticleFactory(
            title=f"Story {n}", topics=[rivers, farms], published_at=now - timedelta(hours=n + 1)
        )
    page = client.get("/").content.decode()
    titles = re.findall(r">((?:Recent|Story) \d+)<", page)
    assert len(titles) == len(set(titles)) == PAGE_SIZE + 6
    farms_at = page.index('id="section-farms"')
    rivers_part = page[page.index('id="section-rivers"') : farms_at]
    assert re.findall(r">(Story \d)<", rivers_part) == ["Story 0", "Story 1", "Story 2", "Story 3"]
    assert re.findall(r">(Story \d)<", page[farms_at:]) == ["Story 4", "Story 5"]


def test_meta_description_is_the_summary_or_title_cut_at_200_characters(client):
    short = ArticleFactory(summary="Ferries run late on Sunday.")
    long = ArticleFactory(summary="Tide " * 60)
    untold = ArticleFactory(title="Harbour wall repaired", summary="")
    page = client.get(short.get_absolute_url()).content.decode()
    assert '<meta name="description" content="Ferries run late on Sunday.">' in page
    assert long.description == ("Tide " * 40)[:199].rstrip() + "…"
    assert len(long.description) <= 200
    assert untold.description == "Harbour wall repaired"
