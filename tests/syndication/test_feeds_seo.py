"""Feeds, sitemaps, robots.txt, article metadata and conditional GET."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import AgencyFactory, ArticleFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture
def mixed():
    source = SourceFactory(name="Coast Courier", slug="coast-courier")
    topic = TopicFactory(name="Weather", slug="weather")
    shown = ArticleFactory(title="Gale expected tonight", source=source, topics=[topic])
    ArticleFactory(title="Draft about fog", status=Article.Status.DRAFT, source=source)
    ArticleFactory(
        title="Scheduled sunshine",
        source=source,
        topics=[topic],
        published_at=timezone.now() + timedelta(days=1),
    )
    ArticleFactory(title="Withdrawn hail story", status=Article.Status.WITHDRAWN, topics=[topic])
    return source, topic, shown


def _xml(response):
    assert response.status_code == 200
    return ET.fromstring(response.content)


def test_rss_feeds_parse_and_list_only_published(client, mixed):
    source, topic, shown = mixed
    for url in (
        reverse("syndication:feed_latest_rss"),
        reverse("syndication:feed_source_rss", kwargs={"slug": source.slug}),
        reverse("syndication:feed_topic_rss", kwargs={"slug": topic.slug}),
    ):
        response = client.get(url)
        assert response["Content-Type"].startswith("application/rss+xml")
        root = _xml(response)
        assert root.tag == "rss" and root.get("version") == "2.0"
        titles = [i.findtext("title") for i in root.iter("item")]
        assert titles == ["Gale expected tonight"], url
        link = next(root.iter("item")).findtext("link")
        assert link == f"http://127.0.0.1:8000{shown.get_absolute_url()}"


def test_atom_feeds_parse_and_list_only_published(client, mixed):
    source, topic, _ = mixed
    for url in (
        reverse("syndication:feed_latest_atom"),
        reverse("syndication:feed_source_atom", kwargs={"slug": source.slug}),
        reverse("syndication:feed_topic_atom", kwargs={"slug": topic.slug}),
    ):
        root = _xml(client.get(url))
        assert root.tag == f"{ATOM}feed"
        titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
        assert titles == ["Gale expected tonight"], url


def test_feeds_parse_with_feedparser(client, mixed):
    import feedparser

    parsed = feedparser.parse(client.get(reverse("syndication:feed_latest_atom")).content)
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == ["Gale expected tonight"]


def test_agency_feed_includes_its_wire_copy(client):
    agency = AgencyFactory(slug="northwind")
    ArticleFactory(title="Wire: port strike ends", agency=agency)
    root = _xml(client.get(reverse("syndication:feed_source_rss", kwargs={"slug": "northwind"})))
    assert [i.findtext("title") for i in root.iter("item")] == ["Wire: port strike ends"]


def test_unknown_feed_is_404(client):
    assert client.get("/topics/nope/feed.rss").status_code == 404


def test_pages_link_their_feeds(client, mixed):
    source, topic, _ = mixed
    home = client.get("/").content.decode()
    assert f'href="{reverse("syndication:feed_latest_rss")}"' in home
    assert 'type="application/atom+xml"' in home
    page = client.get(source.get_absolute_url()).content.decode()
    assert f'href="{reverse("syndication:feed_source_rss", kwargs={"slug": source.slug})}"' in page
    page = client.get(topic.get_absolute_url()).content.decode()
    assert f'href="{reverse("syndication:feed_topic_atom", kwargs={"slug": topic.slug})}"' in page


def test_feed_conditional_get(client, mixed):
    url = reverse("syndication:feed_latest_rss")
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_article_conditional_get(client, mixed):
    url = mixed[2].get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    mixed[2].title = "Gale arrives early"
    mixed[2].save()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_sitemap_index_and_sections(client, mixed):
    source, topic, shown = mixed
    index = _xml(client.get("/sitemap.xml"))
    locs = [e.text for e in index.iter(f"{SM}loc")]
    assert locs == [
        "http://127.0.0.1:8000/sitemap-articles.xml",
        "http://127.0.0.1:8000/sitemap-sources.xml",
        "http://127.0.0.1:8000/sitemap-topics.xml",
    ]
    articles = _xml(client.get("/sitemap-articles.xml"))
    urls = [e.text for e in articles.iter(f"{SM}loc")]
    assert urls == [f"http://127.0.0.1:8000{shown.get_absolute_url()}"]
    assert articles.find(f"{SM}url/{SM}lastmod") is not None
    sources = [e.text for e in _xml(client.get("/sitemap-sources.xml")).iter(f"{SM}loc")]
    assert f"http://127.0.0.1:8000{source.get_absolute_url()}" in sources
    topics = [e.text for e in _xml(client.get("/sitemap-topics.xml")).iter(f"{SM}loc")]
    assert f"http://127.0.0.1:8000{topic.get_absolute_url()}" in topics
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_news_sitemap_lists_last_two_days(client, mixed):
    ArticleFactory(title="Old regatta result", published_at=timezone.now() - timedelta(days=3))
    root = _xml(client.get("/sitemap-news.xml"))
    urls = list(root.iter(f"{SM}url"))
    assert [u.findtext(f"{NEWS}news/{NEWS}title") for u in urls] == ["Gale expected tonight"]
    news = urls[0].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Newsroom"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}publication_date").startswith(str(timezone.now().year))


def test_robots_txt_points_to_sitemaps(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text
    assert "Sitemap: http://127.0.0.1:8000/sitemap-news.xml" in text
    assert "Disallow: /admin/" in text


class HeadParser(HTMLParser):
    """Collects <link>, <meta> and JSON-LD blocks from a page."""

    def __init__(self):
        super().__init__()
        self.links, self.metas, self.json_ld = [], [], []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link":
            self.links.append(a)
        elif tag == "meta":
            self.metas.append(a)
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data

    def meta(self, key):
        return [m.get("content") for m in self.metas if key in (m.get("name"), m.get("property"))]

    def canonical(self):
        return [link["href"] for link in self.links if link.get("rel") == "canonical"]


def _head(client, article) -> HeadParser:
    parser = HeadParser()
    parser.feed(client.get(article.get_absolute_url()).content.decode())
    return parser


def test_own_article_metadata(client):
    article = ArticleFactory(
        title="Town hall roof repaired", summary="Work finished a week early.", byline="Ana Reis"
    )
    head = _head(client, article)
    self_url = f"http://127.0.0.1:8000{article.get_absolute_url()}"
    assert head.canonical() == [self_url]
    assert head.meta("robots") == []
    assert head.meta("description") == ["Work finished a week early."]
    assert head.meta("og:title") == ["Town hall roof repaired"]
    assert head.meta("og:type") == ["article"]
    assert head.meta("og:url") == [self_url]
    assert head.meta("twitter:card") == ["summary"]
    data = json.loads(head.json_ld[0])
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Town hall roof repaired"
    assert data["author"] == {"@type": "Person", "name": "Ana Reis"}
    assert data["publisher"]["name"] == "Newsroom"
    assert data["datePublished"].startswith(str(article.published_at.year))
    assert "dateModified" in data
    assert "sourceOrganization" not in data and "isBasedOn" not in data


def test_republished_wire_copy_metadata(client):
    source = SourceFactory(name="Bay Herald", noindex=True, homepage_url="https://bay.example/")
    agency = AgencyFactory(name="Northwind Wire")
    article = ArticleFactory(
        title="Ferry fares to rise",
        source=source,
        agency=agency,
        original_url="https://bay.example/news/ferry-fares",
    )
    head = _head(client, article)
    assert head.canonical() == ["https://bay.example/news/ferry-fares"]
    assert head.meta("robots") == ["noindex"]
    data = json.loads(head.json_ld[0])
    assert data["isBasedOn"] == "https://bay.example/news/ferry-fares"
    assert data["sourceOrganization"]["name"] == "Northwind Wire"
    assert data["author"]["name"] == "Bay Herald"


def test_article_with_image_has_image_tags(client):
    from tests.factories import image_upload

    article = ArticleFactory(title="Pier at dawn", lead_image=image_upload())
    head = _head(client, article)
    data = json.loads(head.json_ld[0])
    assert data["image"][0].startswith("http://127.0.0.1:8000/media/")
    assert head.meta("og:image") == data["image"][:1]
    assert head.meta("twitter:card") == ["summary_large_image"]


def test_json_ld_cannot_break_out_of_its_script(client):
    article = ArticleFactory(title="</script><script>alert(1)</script> & more")
    body = client.get(article.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in body
    head = HeadParser()
    head.feed(body)
    assert json.loads(head.json_ld[0])["headline"] == article.title


@pytest.mark.django_db
def test_social_fields_fall_back_to_headline_summary_and_lead_image(client):
    from articles.library import Image
    from tests.factories import image_upload

    lead = Image.objects.create(file=image_upload("lead.jpg"), title="Lead", alt_text="Lead pic")
    social = Image.objects.create(file=image_upload("card.jpg"), title="Card", alt_text="Card pic")
    plain = ArticleFactory(title="Harbour wall repaired", summary="Work ends early.", image=lead)
    page = client.get(plain.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Harbour wall repaired">' in page
    assert '<meta name="twitter:description" content="Work ends early.">' in page
    assert lead.largest_url in page and 'content="Lead pic"' in page
    shared = ArticleFactory(
        social_title="The wall is back",
        social_description="Three weeks early.",
        social_image=social,
        image=lead,
    )
    page = client.get(shared.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="The wall is back">' in page
    assert '<meta property="og:description" content="Three weeks early.">' in page
    assert social.largest_url in page and 'content="Card pic"' in page


def test_news_sitemap_stays_xml_with_a_control_character_in_a_headline(client):
    """An editor can paste one into a title; XML 1.0 cannot hold it, escaped or not."""
    ArticleFactory(title="Gale\x0b warning for the harbour")
    root = _xml(client.get("/sitemap-news.xml"))
    titles = [u.findtext(f"{NEWS}news/{NEWS}title") for u in root.iter(f"{SM}url")]
    assert "Gale warning for the harbour" in titles
