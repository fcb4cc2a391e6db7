"""Reader pages: the article page's blocks, cards, listings and their query counts."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Correction, Image, Promo
from tests.factories import (
    AgencyFactory,
    ArticleFactory,
    PromoFactory,
    SourceFactory,
    TopicFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db


def _with_image(**kwargs):
    article = ArticleFactory.build(**kwargs)
    article.source.save()
    article.lead_image.save("lead.jpg", image_upload(size=(1400, 800)), save=False)
    article.save()
    return article


def test_article_page_follows_the_design(client):
    agency = AgencyFactory(name="Northwind Wire")
    topic = TopicFactory(name="Harbours", slug="harbours")
    article = _with_image(
        title="Storm barrier passes its first test",
        byline="Mara Okonjo",
        agency=agency,
        lead_image_caption="The barrier closing at dawn.",
        lead_image_credit="Demo Studio",
    )
    article.topics.set([topic])
    PromoFactory()
    PromoFactory(
        placement=Promo.Placement.APP_FOOTER,
        title="Download the app",
        app_store_url="https://apps.example.org/ios",
        play_store_url="",
    )
    related = ArticleFactory(title="Tide gauges get an upgrade", agency=agency)
    related.topics.set([topic])
    Correction.objects.create(article=article, text="An earlier version misspelt a name.")

    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count("<h1") == 1
    assert 'alt="Storm barrier passes its first test"' in page  # alt falls back to headline
    assert "srcset=" in page and "The barrier closing at dawn." in page and "Demo Studio" in page
    assert f'href="{article.source.get_absolute_url()}"' in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', page)
    assert "Mara Okonjo" in page and "Northwind Wire" in page
    assert "Try our new features" in page and "Explore" in page
    assert "Comments (0)" in page and "No comments yet..." in page
    assert "Log in to comment" in page
    assert "Related Articles" in page and "Tide gauges get an upgrade" in page
    assert "(Northwind Wire)" in page  # the card's agency credit
    assert "hours ago" in page
    assert "Download the app" in page and "https://apps.example.org/ios" in page
    assert "Correction," in page and "An earlier version misspelt a name." in page
    # Blocks come in the design's order.
    order = [
        "lead-figure",
        "article__title",
        "article__meta",
        "article__body",
        "promo",
        "comments-title",
        "related-title",
        "app-block-title",
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_no_image_no_empty_box_and_no_promo_when_none(client):
    article = ArticleFactory()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "lead-figure" not in page
    assert 'class="promo' not in page
    assert "app-block" not in page


def test_expired_promo_is_not_shown(client):
    PromoFactory(ends_at=timezone.now() - timezone.timedelta(minutes=1))
    PromoFactory(title="Future promo", starts_at=timezone.now() + timezone.timedelta(days=1))
    page = client.get(ArticleFactory().get_absolute_url()).content.decode()
    assert 'class="promo' not in page


def test_related_ranked_by_topics_then_source_then_recency(client):
    source = SourceFactory()
    a, b = TopicFactory(), TopicFactory()
    article = ArticleFactory(source=source, topics=[a, b])
    now = timezone.now()
    both = ArticleFactory(
        title="Shares both topics", published_at=now - timezone.timedelta(days=3), topics=[a, b]
    )
    one = ArticleFactory(title="Shares one topic", topics=[a])
    same_source = ArticleFactory(title="Same source only", source=source)
    recent = ArticleFactory(title="Just recent", published_at=now - timezone.timedelta(minutes=1))
    ArticleFactory(title="Hidden draft", status=Article.Status.DRAFT, topics=[a, b])
    related = client.get(article.get_absolute_url()).context["related"]
    assert related[:4] == [both, one, same_source, recent]
    assert all(r.status == "published" for r in related)


def test_home_source_topic_pages(client):
    agency = AgencyFactory()
    topic = TopicFactory(in_navigation=True, name="Rivers", slug="rivers")
    source = SourceFactory()
    ArticleFactory(title="River levels fall", source=source, topics=[topic], agency=agency)
    home = client.get(reverse("articles:home")).content.decode()
    assert "River levels fall" in home and 'href="/topics/rivers/"' in home
    for url in (source.get_absolute_url(), topic.get_absolute_url(), agency.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert "River levels fall" in response.content.decode()


def test_bad_page_number_is_not_an_error(client):
    ArticleFactory()
    for value in ("abc", "99999", "-1", "1" * 400):
        assert client.get(reverse("articles:home"), {"page": value}).status_code == 200


def _seed(n_articles, n_topics):
    topics = [TopicFactory(in_navigation=True) for _ in range(n_topics)]
    source = SourceFactory()
    agency = AgencyFactory()
    # Every card shows a library picture: the pages must join it, not query it per card.
    picture = Image.objects.create(file=image_upload(), title="Quay", alt_text="The quay")
    articles = [
        ArticleFactory(
            source=source, agency=agency, topics=topics[: 1 + i % n_topics], image=picture
        )
        for i in range(n_articles)
    ]
    PromoFactory()
    PromoFactory(placement=Promo.Placement.APP_FOOTER, app_store_url="https://a.example.org/")
    for article in articles[:3]:
        Correction.objects.create(article=article, text="Fixed a date.")
    return articles


# The comments section adds 2 (count, threads). Each + 1: on a page-cache miss,
# serving/cache.py looks up the next scheduled article (so the cached page expires when
# it appears), and + 1: the approved-comment counts of all the cards (ARTICLE_CARD_HOOKS).
# A cache hit takes 0 (tests/serving). The stories app's tags add 2 (the story the article
# is in, its key points); its related-articles hook takes the same 2 as the fallback, and
# + 1: the related cards' stories ("and N other sources", ARTICLE_CARD_HOOKS).
ARTICLE_PAGE_QUERIES = 8 + 2 + 1 + 1 + 2 + 1
# + 1: the running home-lead pin, if any; + 1: the topic sections' cards, read once the
# sections are picked (none when every article is already in the latest list above);
# + 1: the lead's story's lead report (each story once, issue 31); + 1: the cards' stories.
HOME_PAGE_QUERIES = 6 + 1 + 1 + 1 + 1 + 1


@pytest.mark.parametrize(("n_articles", "n_topics"), [(3, 1), (25, 8)])
def test_article_page_query_count_is_constant(
    client, django_assert_num_queries, n_articles, n_topics
):
    article = _seed(n_articles, n_topics)[0]
    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        assert client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("n_articles", "n_topics", "section_cards"), [(3, 1, 0), (25, 8, 1), (60, 8, 1)]
)
def test_home_page_query_count_is_constant(
    client, django_assert_num_queries, n_articles, n_topics, section_cards
):
    _seed(n_articles, n_topics)
    with django_assert_num_queries(HOME_PAGE_QUERIES + section_cards):
        assert client.get(reverse("articles:home")).status_code == 200


def _topic_nav(html: str) -> str:
    return html.split('<nav class="topic-nav"', 1)[1].split("</nav>", 1)[0]


def test_the_topic_navigation_marks_its_topics_page_and_is_one_fragment_for_the_others(
    client,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rivers = TopicFactory(in_navigation=True, name="Rivers", slug="rivers", position=0)
    TopicFactory(in_navigation=True, name="Tides", slug="tides", position=1)
    article = ArticleFactory(topics=[rivers])
    home = client.get(reverse("articles:home")).content.decode()
    assert 'href="/topics/tides/"' in _topic_nav(home)
    assert "aria-current" not in _topic_nav(home)
    on_rivers = _topic_nav(client.get(rivers.get_absolute_url()).content.decode())
    assert on_rivers.count('aria-current="page"') == 1
    assert '<a href="/topics/rivers/" aria-current="page">Rivers</a>' in on_rivers
    # Every page that is not a topic's shows the navigation the home page built: an
    # article's first render (or a reader's Following page) reads no topics for it.
    with CaptureQueriesContext(connection) as queries:
        page = client.get(article.get_absolute_url()).content.decode()
    assert "aria-current" not in _topic_nav(page)
    navigation = 'WHERE "articles_topic"."in_navigation"'
    assert not [q for q in queries.captured_queries if navigation in q["sql"]]
