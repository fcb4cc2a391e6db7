"""The site and the writes the freshness property test (test_freshness_property.py) uses.

`build_site()` makes a small newsroom: three sources (one a wire agency), two topics,
published, draft and grouped articles, comments, promos, a library picture. `pages()`
lists one address per cacheable URL pattern. The writes are in freshness_writes.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Image, Promo, Source, Topic
from comments.models import Comment
from stories import services as story_services
from stories.models import StoryMembership
from tests import factories
from tests.stories.conftest import CHESS, FERRY


@dataclass
class Site:
    harbour: Source
    coast: Source
    wire: Source
    ferries: Topic
    chess: Topic
    first: Article  # the ferry story's first report: wire copy, comments
    second: Article  # the ferry story's second report
    chess_report: Article
    draft: Article
    brief: Article  # published, no comments: the one an editor may delete
    approved: Comment
    pending: Comment
    footer_promo: Promo
    banner: Promo
    picture: Image
    editor: object
    moderator: object


def _article(title, summary, paragraphs, *, hours_ago, **kwargs) -> Article:
    return factories.ArticleFactory(
        title=title,
        slug=None,
        summary=summary,
        body="".join(f"<p>{p}</p>" for p in paragraphs),
        published_at=timezone.now() - timedelta(hours=hours_ago),
        **kwargs,
    )


def build_site() -> Site:
    harbour = factories.SourceFactory(name="Harbour Times", slug="harbour-times")
    coast = factories.SourceFactory(name="Coast Post", slug="coast-post")
    wire = factories.AgencyFactory(name="Wire Service", slug="wire-service")
    ferries = factories.TopicFactory(name="Ferries", slug="ferries", in_navigation=True)
    chess = factories.TopicFactory(name="Chess", slug="chess", in_navigation=True, position=1)
    first = _article(*FERRY[0], hours_ago=3, source=harbour, agency=wire, byline="Jane Roe")
    second = _article(*FERRY[1], hours_ago=2, source=coast, byline="John Doe")
    chess_report = _article(*CHESS, hours_ago=1, source=harbour, byline="Jane Roe")
    draft = _article(
        "Quay lights to be replaced before winter",
        "New lamps along the quay.",
        ["The harbour board agreed the spending on Monday."],
        hours_ago=0.5,
        source=coast,
        byline="John Doe",
        status=Article.Status.DRAFT,
    )
    brief = _article(
        "Lifeboat crew rescues two kayakers off the point",
        "Both were unhurt.",
        ["The crew launched at dusk after a call from the coastguard."],
        hours_ago=4,
        source=coast,
        byline="John Doe",
    )
    first.topics.set([ferries])
    second.topics.set([ferries])
    chess_report.topics.set([chess])
    brief.topics.set([ferries])
    for article in (first, second, chess_report, brief):
        story_services.assign_article(article.pk)
    approved = factories.CommentFactory(article=first, status="approved")
    pending = factories.CommentFactory(article=first, status="pending")
    footer_promo = factories.PromoFactory(
        placement=Promo.Placement.APP_FOOTER, title="Get the app", app_store_url="https://a.example"
    )
    banner = factories.PromoFactory(placement=Promo.Placement.ARTICLE, title="Morning briefing")
    picture = Image.objects.create(
        file=factories.image_upload("quay.jpg"), title="The quay", alt_text="The old quay at dusk"
    )
    return Site(
        harbour=harbour,
        coast=coast,
        wire=wire,
        ferries=ferries,
        chess=chess,
        first=first,
        second=second,
        chess_report=chess_report,
        draft=draft,
        brief=brief,
        approved=approved,
        pending=pending,
        footer_promo=footer_promo,
        banner=banner,
        picture=picture,
        editor=factories.EditorFactory(is_superuser=True),
        moderator=factories.ModeratorFactory(),
    )


def reload(site: Site) -> None:
    """Every object of the site as the database has it now (the writes before changed
    them through other instances); a deleted one stays as it was."""
    for name, value in vars(site).items():
        fresh = type(value)._default_manager.filter(pk=value.pk).first()
        if fresh is not None:
            setattr(site, name, fresh)


def ferry_story(site: Site):
    return StoryMembership.objects.get(article=site.first).story


def pages(site: Site) -> dict[str, list[str]]:
    """URL pattern (as the URLconf spells it) -> the addresses of it the test reads."""
    articles = [site.first, site.second, site.chess_report, site.draft, site.brief]
    story = ferry_story(site)
    feeds = lambda name, obj: [reverse(f"syndication:{name}", kwargs={"slug": obj.slug})]  # noqa: E731
    return {
        "": ["/", "/?page=2"],
        "articles/<slug:slug>/": [a.get_absolute_url() for a in articles],
        "sources/<slug:slug>/": [
            s.get_absolute_url() for s in (site.harbour, site.coast, site.wire)
        ],
        "topics/<slug:slug>/": [t.get_absolute_url() for t in (site.ferries, site.chess)],
        "authors/<slug:slug>/": ["/authors/jane-roe/", "/authors/john-doe/", "/authors/ann-lee/"],
        "stories/<slug:slug>/": sorted(
            {m.story.get_absolute_url() for m in StoryMembership.objects.select_related("story")}
        ),
        "features/": [reverse("stories:features")],
        "search/": ["/search/?q=ferry", "/search/?q=quay&source=coast-post", "/search/?q=chess"],
        "feeds/latest.rss": [reverse("syndication:feed_latest_rss")],
        "feeds/latest.atom": [reverse("syndication:feed_latest_atom")],
        "sources/<slug:slug>/feed.rss": feeds("feed_source_rss", site.harbour)
        + feeds("feed_source_rss", site.coast),
        "sources/<slug:slug>/feed.atom": feeds("feed_source_atom", site.wire),
        "topics/<slug:slug>/feed.rss": feeds("feed_topic_rss", site.ferries),
        "topics/<slug:slug>/feed.atom": feeds("feed_topic_atom", site.chess),
        "authors/<slug:slug>/feed.rss": ["/authors/jane-roe/feed.rss", "/authors/ann-lee/feed.rss"],
        "authors/<slug:slug>/feed.atom": ["/authors/john-doe/feed.atom"],
        "stories/<slug:slug>/feed.rss": sorted(
            {
                reverse("syndication:feed_story_rss", kwargs={"slug": m.story.slug})
                for m in StoryMembership.objects.select_related("story")
            }
        ),
        "stories/<slug:slug>/feed.atom": feeds("feed_story_atom", story),
        "search/feed.rss": [
            "/search/feed.rss?q=ferry",
            "/search/feed.rss?q=quay&source=coast-post",
        ],
        "sitemap.xml": ["/sitemap.xml"],
        "sitemap-news.xml": ["/sitemap-news.xml"],
        "sitemap-<section>.xml": [
            "/sitemap-articles.xml",
            "/sitemap-sources.xml",
            "/sitemap-topics.xml",
        ],
        "api/v1/articles": ["/api/v1/articles", "/api/v1/articles?source=coast-post"],
        "api/v1/articles/<slug>": [f"/api/v1/articles/{a.slug}" for a in articles],
        "api/v1/sources": ["/api/v1/sources"],
        "api/v1/topics": ["/api/v1/topics"],
        "api/v1/search": ["/api/v1/search?q=ferry"],
        "api/v1/articles/<slug>/comments": [f"/api/v1/articles/{site.first.slug}/comments"],
        "api/v1/stories": ["/api/v1/stories"],
        "api/v1/stories/<slug>": [f"/api/v1/stories/{story.slug}"],
    }
