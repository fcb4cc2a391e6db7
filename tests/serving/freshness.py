"""The site and the writes the freshness property test (test_freshness_property.py) uses.

`build_site()` makes a small newsroom: three sources (one a wire agency), two topics,
published, draft and grouped articles, comments, promos, a library picture. `WRITES` are
the writes an editor or a moderator makes, each through the path they use: the admin's
forms (posted as a browser would, from the form the admin rendered) or the service the
moderation views call. `pages()` lists one address per cacheable URL pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Image, Promo, Source, Topic
from comments import services as comment_services
from comments.models import Comment
from stories import services as story_services
from stories.models import KeyPoint, StoryMembership
from tests import factories
from tests.stories.conftest import CHESS, FERRY


class _FormReader(HTMLParser):
    """The values a browser would post from the admin's main form."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: dict[str, list[str]] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.data.setdefault(name, []).append(a.get("value") or default)
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            value = self.data[self.textarea][0]
            # As browsers do: the newline right after <textarea> is not the value's.
            self.data[self.textarea][0] = value[1:] if value.startswith("\n") else value
            self.textarea = None
        elif tag == "form":
            self.inside = False

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data


def admin_change(client, obj, **changes) -> None:
    """Change `obj` in the admin as an editor: the change form as rendered, edited, posted."""
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    _post_form(client, url, meta.model_name, changes)


def admin_add(client, model, **values) -> None:
    meta = model._meta
    _post_form(client, reverse(f"admin:{meta.app_label}_{meta.model_name}_add"), meta.model_name, values)


def _post_form(client, url: str, model_name: str, changes: dict) -> None:
    page = client.get(url)
    assert page.status_code == 200, url
    reader = _FormReader(f"{model_name}_form")
    reader.feed(page.content.decode())
    data = {k: v[0] if len(v) == 1 else v for k, v in reader.data.items()}
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    response = client.post(url, data)
    errors = response.context and response.context.get("errors")
    assert response.status_code == 302, f"{url}: {errors}"


def admin_delete(client, obj) -> None:
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302


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


def _story(site: Site):
    return StoryMembership.objects.get(article=site.first).story


def pages(site: Site) -> dict[str, list[str]]:
    """URL pattern (as the URLconf spells it) -> the addresses of it the test reads."""
    articles = [site.first, site.second, site.chess_report, site.draft, site.brief]
    story = _story(site)
    feeds = lambda name, obj: [reverse(f"syndication:{name}", kwargs={"slug": obj.slug})]  # noqa: E731
    return {
        "": ["/", "/?page=2"],
        "articles/<slug:slug>/": [a.get_absolute_url() for a in articles],
        "sources/<slug:slug>/": [s.get_absolute_url() for s in (site.harbour, site.coast, site.wire)],
        "topics/<slug:slug>/": [t.get_absolute_url() for t in (site.ferries, site.chess)],
        "authors/<slug:slug>/": ["/authors/jane-roe/", "/authors/john-doe/", "/authors/ann-lee/"],
        "stories/<slug:slug>/": [story.get_absolute_url()],
        "features/": [reverse("stories:features")],
        "search/": ["/search/?q=ferry", "/search/?q=quay&source=coast-post", "/search/?q=chess"],
        "feeds/latest.rss": [reverse("syndication:feed_latest_rss")],
        "feeds/latest.atom": [reverse("syndication:feed_latest_atom")],
        "sources/<slug:slug>/feed.rss": feeds("feed_source_rss", site.harbour)
        + feeds("feed_source_rss", site.coast),
        "sources/<slug:slug>/feed.atom": feeds("feed_source_atom", site.wire),
        "topics/<slug:slug>/feed.rss": feeds("feed_topic_rss", site.ferries),
        "topics/<slug:slug>/feed.atom": feeds("feed_topic_atom", site.chess),
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


# --- the writes -------------------------------------------------------------------------


def create(site, editor):
    admin_add(
        editor,
        Article,
        title="Ferry operator adds a night sailing",
        slug="ferry-night-sailing",
        summary="A late boat from Port Callow.",
        body="<p>The ferry will leave at eleven.</p>",
        source=str(site.coast.pk),
        byline="Ann Lee",
        topics=[str(site.ferries.pk)],
        status="published",
        published_at_0=timezone.localtime().strftime("%Y-%m-%d"),
        published_at_1=(timezone.localtime() - timedelta(minutes=5)).strftime("%H:%M:%S"),
        **{"corrections-TOTAL_FORMS": "0", "revisions-TOTAL_FORMS": "0"},
    )


def publish(site, editor):
    admin_change(editor, site.draft, status="published")


def retitle(site, editor):
    admin_change(editor, site.second, title="Callow ferry strike ends after talks")


def change_summary(site, editor):
    admin_change(editor, site.chess_report, summary="A five-hour final decided the title.")


def change_lead_image(site, editor):
    admin_change(editor, site.brief, image=str(site.picture.pk))


def change_source(site, editor):
    admin_change(editor, site.chess_report, source=str(site.coast.pk))


def change_topic(site, editor):
    admin_change(editor, site.brief, topics=[str(site.chess.pk)])


def change_byline(site, editor):
    admin_change(editor, site.chess_report, byline="Ann Lee")


def schedule(site, editor):
    later = timezone.localtime() + timedelta(days=1)
    admin_change(
        editor,
        site.second,
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1=later.strftime("%H:%M:%S"),
    )


def withdraw(site, editor):
    admin_change(editor, site.chess_report, status="withdrawn")


def delete(site, editor):
    admin_delete(editor, site.brief)


def correct(site, editor):
    admin_change(
        editor,
        site.second,
        **{
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-kind": "correction",
            "corrections-0-text": "An earlier version named the wrong operator.",
            "corrections-0-published_at_0": timezone.localtime().strftime("%Y-%m-%d"),
            "corrections-0-published_at_1": timezone.localtime().strftime("%H:%M:%S"),
        },
    )


def approve_comment(site, editor):
    comment_services.comment_approve(comment=site.pending, moderator=site.moderator)


def reject_comment(site, editor):
    comment_services.comment_reject(comment=site.approved, moderator=site.moderator)


def remove_comment(site, editor):
    comment_services.remove_comment(comment=site.approved, author=site.approved.author)


def rename_source(site, editor):
    admin_change(editor, site.harbour, name="The Harbour Times")


def rename_agency(site, editor):
    admin_change(editor, site.wire, name="Wire Press")


def rename_topic(site, editor):
    admin_change(editor, site.ferries, name="Ferries and boats")


def regroup_story(site, editor):
    story_services.split_article(article=site.second)


def edit_key_point(site, editor):
    point = KeyPoint.objects.filter(story=_story(site)).first() or KeyPoint.objects.first()
    admin_change(editor, point, edited_text="Ferry crews stopped work at dawn.")


def change_promo(site, editor):
    admin_change(editor, site.banner, title="Evening briefing")


def change_footer_promo(site, editor):
    admin_change(editor, site.footer_promo, title="Get the new app")


WRITES = {
    f.__name__: f
    for f in (
        create,
        publish,
        retitle,
        change_summary,
        change_lead_image,
        change_source,
        change_topic,
        change_byline,
        schedule,
        withdraw,
        delete,
        correct,
        approve_comment,
        reject_comment,
        remove_comment,
        rename_source,
        rename_agency,
        rename_topic,
        regroup_story,
        edit_key_point,
        change_promo,
        change_footer_promo,
    )
}

# Fields readers may see, and the write above that changes each (the coverage test).
FIELDS: dict[str, str] = {}
