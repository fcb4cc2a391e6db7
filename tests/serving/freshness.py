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

from articles.house import make_house
from articles.models import Article, Correction, Image, Pin, Promo, Source, Topic
from comments import featured as comment_featured
from comments import services as comment_services
from comments.models import Comment
from stories import services as story_services
from stories.models import KeyPoint, Story, StoryMembership
from tests import factories
from tests.stories.conftest import CHESS, FERRY


class _FormReader(HTMLParser):
    """The values a browser would post from the admin's main form."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: dict[str, list[str]] = {}
        self.kinds: dict[str, str] = {}  # name -> input type, "select" or "textarea"
        self.options: dict[str, list[str]] = {}
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
            self.kinds.setdefault(name, kind)
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.data.setdefault(name, []).append(a.get("value") or default)
        elif tag == "select" and name:
            self.select = name
            self.kinds[name] = "select"
            self.data.setdefault(name, [])
        elif tag == "option" and self.select:
            self.options.setdefault(self.select, []).append(a.get("value", ""))
            if "selected" in a:
                self.data[self.select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.kinds[name] = "textarea"
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


def admin_change_every_field(client, obj, *, skip=(), **changes) -> None:
    """Give every field of `obj`'s admin form a new value (text edited, boxes toggled,
    another choice, a new picture), except `skip` and inlines; `changes` win."""
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    reader = _FormReader(f"{meta.model_name}_form")
    reader.feed(client.get(url).content.decode())
    edited = {}
    for name, kind in reader.kinds.items():
        if name in skip or "-" in name or name.startswith(("csrf", "_")) or name[-2:-1] == "_":
            continue
        value = (reader.data.get(name) or [""])[0]
        if kind == "file":
            edited[name] = factories.image_upload(f"{name}.jpg", size=(1000, 600))
        elif kind == "checkbox":
            edited[name] = None if name in reader.data else "on"
        elif kind == "select":
            others = [o for o in reader.options.get(name, []) if o and o != value]
            if others:
                edited[name] = others[0]
        elif kind == "url":
            edited[name] = f"https://edited.example.org/{name}"
        elif kind == "number":
            edited[name] = str(int(float(value or 0)) + 1)
        elif kind in ("text", "textarea"):
            edited[name] = f"{value}-edited" if name == "slug" else f"{value} (edited)"
    _post_form(client, url, meta.model_name, {**edited, **changes})


def admin_add(client, model, **values) -> None:
    meta = model._meta
    _post_form(
        client, reverse(f"admin:{meta.app_label}_{meta.model_name}_add"), meta.model_name, values
    )


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


# --- the writes -------------------------------------------------------------------------

# "app_label.Model.field" -> the write that changes it (the coverage test); each write's
# declared fields are checked to have changed (test_freshness_property).
FIELDS: dict[str, str] = {}


def changes(target: str, model, *fields: str):
    """Declare that a write changes these fields of `site.<target>` (a `model`)."""

    def mark(write):
        write.changes = (target, fields)
        for name in fields:
            FIELDS[f"{model._meta.label}.{name}"] = write.__name__
        return write

    return mark


@changes(None, Article, "created_at", "reviewed_by")
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


@changes("draft", Article, "status")
def publish(site, editor):
    admin_change(editor, site.draft, status="published")


@changes("second", Article, "title")
def retitle(site, editor):
    admin_change(editor, site.second, title="Callow ferry strike ends after talks")


@changes("chess_report", Article, "summary")
def change_summary(site, editor):
    admin_change(editor, site.chess_report, summary="A five-hour final decided the title.")


@changes("brief", Article, "image")
def change_lead_image(site, editor):
    admin_change(editor, site.brief, image=str(site.picture.pk))


@changes(
    "first",
    Article,
    "slug",
    "body",
    "body_html",
    "lead_image",
    "lead_image_width",
    "lead_image_height",
    "lead_image_renditions",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "agency",
    "original_url",
    "comments_enabled",
    "vetted",
    "social_title",
    "social_description",
    "social_image",
)
def edit_every_article_field(site, editor):
    admin_change_every_field(
        editor,
        site.first,
        skip=("status", "source", "byline", "title", "summary"),
        agency="",  # off the wire agency's page and feed
        social_image=str(site.picture.pk),
    )


@changes("first", Article, "first_published_at")
def feed_update(site, editor):
    """What the feed importer's and other bulk paths do: a queryset update()."""
    Article.objects.filter(pk=site.first.pk).update(
        first_published_at=timezone.now() - timedelta(days=1)
    )


@changes(
    "picture",
    Image,
    "file",
    "width",
    "height",
    "renditions",
    "alt_text",
    "credit",
    "caption",
    "focal_x",
    "focal_y",
)
def edit_every_image_field(site, editor):
    admin_change_every_field(editor, site.picture, focal_x="0.3", focal_y="0.7")


@changes("chess_report", Article, "source")
def change_source(site, editor):
    admin_change(editor, site.chess_report, source=str(site.coast.pk))


@changes("brief", Article, "topics")
def change_topic(site, editor):
    admin_change(editor, site.brief, topics=[str(site.chess.pk)])


@changes("chess_report", Article, "byline", "byline_slug")
def change_byline(site, editor):
    admin_change(editor, site.chess_report, byline="Ann Lee")


@changes("second", Article, "published_at")
def schedule(site, editor):
    later = timezone.localtime() + timedelta(days=1)
    admin_change(
        editor,
        site.second,
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1=later.strftime("%H:%M:%S"),
    )


@changes("chess_report", Article, "status")
def withdraw(site, editor):
    admin_change(editor, site.chess_report, status="withdrawn")


def delete(site, editor):
    admin_delete(editor, site.brief)


@changes(None, Correction, "article", "kind", "text", "published_at")
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


@changes(None, Pin, "article", "topic", "position", "starts_at", "ends_at", "created_by")
def pin_to_topic(site, editor):
    now = timezone.localtime() - timedelta(minutes=1)
    admin_add(
        editor,
        Pin,
        article=str(site.brief.pk),
        topic=str(site.ferries.pk),
        position="0",
        starts_at_0=now.strftime("%Y-%m-%d"),
        starts_at_1=now.strftime("%H:%M:%S"),
    )


@changes("pending", Comment, "status")
def approve_comment(site, editor):
    comment_services.comment_approve(comment=site.pending, moderator=site.moderator)


@changes("pending", Comment, "status")
def reject_comment(site, editor):
    comment_services.comment_reject(comment=site.pending, moderator=site.moderator)


@changes("approved", Comment, "featured_at")
def feature_comment(site, editor):
    comment_featured.comment_feature(comment=site.approved, moderator=site.moderator)


@changes("approved", Comment, "featured_at")
def unfeature_comment(site, editor):
    comment_featured.comment_unfeature(comment=site.approved, moderator=site.moderator)


@changes("approved", Comment, "status")
def remove_comment(site, editor):
    comment_services.remove_comment(comment=site.approved, author=site.approved.author)


@changes("pending", Comment, "body", "edited_at")
def edit_comment(site, editor):
    comment_services.edit_comment(
        comment=site.pending, author=site.pending.author, body="On reflection, the quay can wait."
    )


@changes(None, Comment, "article", "author", "parent", "thread", "depth", "created_at")
def reply_to_comment(site, editor):
    reply = comment_services.post_comment(
        article=site.first,
        author=site.approved.author,
        body="And the lamps should be replaced too.",
        parent=site.pending,
    )
    comment_services.comment_approve(comment=reply, moderator=site.moderator)


@changes(None, Comment, "in_reply_to")
def reply_below_the_display_cap(site, editor):
    # Three levels are shown; a reply to the third is moved up and says whom it answered.
    parent = site.approved
    for body in ("Level two here.", "Level three here.", "Below the cap, moved up."):
        parent = comment_services.post_comment(
            article=site.first, author=site.approved.author, body=body, parent=parent
        )
        comment_services.comment_approve(comment=parent, moderator=site.moderator)
    assert parent.in_reply_to_id is not None


@changes("harbour", Source, "name")
def rename_source(site, editor):
    admin_change(editor, site.harbour, name="The Harbour Times")


@changes("wire", Source, "slug", "kind", "homepage_url", "logo", "description", "noindex", "vetted")
def edit_every_source_field(site, editor):
    admin_change_every_field(
        editor,
        site.wire,
        skip=("feed_url", "aliases", "fetch_full_text", "full_text_selector", "full_text_drop"),
    )


@changes("harbour", Source, "is_house")
def make_source_the_house(site, editor):
    # The house's articles read "By <byline>, <site>" and are never shown as republished.
    make_house(site.harbour)


@changes("ferries", Topic, "name")
def rename_topic(site, editor):
    admin_change(editor, site.ferries, name="Ferries and boats")


@changes("chess", Topic, "slug", "description", "in_navigation", "position")
def edit_every_topic_field(site, editor):
    admin_change_every_field(editor, site.chess, skip=("name",))


@changes(
    None,
    Story,
    "slug",
    "published_count",
    "source_count",
    "created_at",
    "updated_at",
)
@changes(None, StoryMembership, "article", "story")
@changes(
    None, KeyPoint, "article", "story", "source_article", "sentence", "position", "also_reported_by"
)
def regroup_story(site, editor):
    story_services.split_article(article=site.second)


def merge_stories(site, editor):
    """A story of one article becomes a story of two (its article pages link to it)."""
    apart = StoryMembership.objects.get(article=site.second).story
    story_services.merge_stories(target=apart, others=[_story(site)])


@changes(None, Story, "lead", "lead_pinned")
def pin_story_lead(site, editor):
    story_services.pin_lead(story=_story(site), article=site.second)


def report_from_new_source(site, editor):
    """A new source (not vetted) reports the ferry story, claiming an earlier time: the
    story's cards now say "and 2 other sources", its lead and first report stay (it joins
    once the write commits: tests/stories/test_lists.py checks the same path)."""
    courier = factories.SourceFactory(name="Island Courier", slug="island-courier", vetted=False)
    title, summary, paragraphs = FERRY[0]
    when = timezone.localtime() - timedelta(hours=4)
    admin_add(
        editor,
        Article,
        title=f"{title} again",
        slug="ferry-crews-walk-out-courier",
        summary=summary,
        body="".join(f"<p>{p}</p>" for p in paragraphs),
        source=str(courier.pk),
        topics=[str(site.ferries.pk)],
        status="published",
        published_at_0=when.strftime("%Y-%m-%d"),
        published_at_1=when.strftime("%H:%M:%S"),
        **{"corrections-TOTAL_FORMS": "0", "revisions-TOTAL_FORMS": "0"},
    )


def vet_source(site, editor):
    """An editor vets that source: its earlier report now leads the story."""
    admin_change(editor, Source.objects.get(slug="island-courier"), vetted="on")


@changes(None, KeyPoint, "edited_text")
def edit_key_point(site, editor):
    point = KeyPoint.objects.filter(story=_story(site)).first() or KeyPoint.objects.first()
    admin_change(editor, point, edited_text="Ferry crews stopped work at dawn.")


@changes(None, KeyPoint, "hidden")
def hide_key_point(site, editor):
    point = KeyPoint.objects.filter(article=site.first, hidden=False).first()
    admin_change(editor, point, hidden="on")


@changes("banner", Promo, "title")
def change_promo(site, editor):
    admin_change(editor, site.banner, title="Evening briefing")


@changes(
    "footer_promo",
    Promo,
    "placement",
    "text",
    "link_url",
    "link_label",
    "colour",
    "background_image",
    "app_store_url",
    "play_store_url",
    "starts_at",
    "ends_at",
    "is_active",
    "priority",
)
def edit_every_promo_field(site, editor):
    start, end = timezone.localtime() - timedelta(hours=1), timezone.localtime() + timedelta(days=1)
    admin_change_every_field(
        editor,
        site.footer_promo,
        skip=("title", "is_active"),
        is_active=None,  # a promo switched off: gone from every page
        starts_at_0=start.strftime("%Y-%m-%d"),
        starts_at_1=start.strftime("%H:%M:%S"),
        ends_at_0=end.strftime("%Y-%m-%d"),
        ends_at_1=end.strftime("%H:%M:%S"),
    )


WRITES = {
    f.__name__: f
    for f in (
        create,
        publish,
        retitle,
        change_summary,
        change_lead_image,
        edit_every_article_field,
        feed_update,
        edit_every_image_field,
        change_source,
        change_topic,
        change_byline,
        schedule,
        withdraw,
        delete,
        correct,
        pin_to_topic,
        approve_comment,
        reject_comment,
        feature_comment,
        unfeature_comment,
        remove_comment,
        edit_comment,
        reply_to_comment,
        rename_source,
        edit_every_source_field,
        rename_topic,
        edit_every_topic_field,
        report_from_new_source,
        vet_source,
        regroup_story,
        merge_stories,
        pin_story_lead,
        edit_key_point,
        hide_key_point,
        change_promo,
        edit_every_promo_field,
    )
}
