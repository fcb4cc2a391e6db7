"""The writes of the freshness property test: each one an editor or a moderator makes,
through the path they use (the admin's forms, posted as a browser would, or the service
the moderation views call). `WRITES` names them; `FIELDS` says which write changes which
field (the coverage test).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from articles.house import make_house
from articles.models import Article, Correction, Image, Pin, Promo, Source, Topic
from comments import featured as comment_featured
from comments import services as comment_services
from comments.models import Comment
from stories import services as story_services
from stories.models import KeyPoint, Story, StoryMembership
from tests import factories
from tests.stories.conftest import FERRY

from .admin_forms import admin_add, admin_change, admin_change_every_field, admin_delete
from .freshness import ferry_story

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
    story_services.merge_stories(target=apart, others=[ferry_story(site)])


@changes(None, Story, "lead", "lead_pinned")
def pin_story_lead(site, editor):
    story_services.pin_lead(story=ferry_story(site), article=site.second)


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
    point = KeyPoint.objects.filter(story=ferry_story(site)).first() or KeyPoint.objects.first()
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
