"""The incoming desk (issue 33, point 4): feed drafts grouped by story, newest first, with
source, time and trust; publish, reject (never re-imported) and open several; counts per
source; permissions as for articles."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from stories import desk
from stories.models import Story, StoryMembership
from tests.factories import ArticleFactory, EditorFactory, ModeratorFactory, SourceFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:stories_incoming")


def _draft(title, source, *, minutes_ago=0, guid=None, **kwargs):
    article = ArticleFactory(
        title=title,
        source=source,
        status=Article.Status.DRAFT,
        guid=guid or f"urn:{title}",
        published_at=timezone.now() - timedelta(minutes=minutes_ago),
        **kwargs,
    )
    Article.objects.filter(pk=article.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return article


@pytest.fixture
def incoming():
    ledger = SourceFactory(name="The Harbour Ledger", auto_publish=True)
    courier = SourceFactory(name="Valley Courier", vetted=False)
    a = _draft("Ferry strike ends", ledger, minutes_ago=50)
    b = _draft("Ferry crews back at work", courier, minutes_ago=10)
    c = _draft("Chess club wins the cup", courier, minutes_ago=30)
    ArticleFactory(title="Our own draft", status=Article.Status.DRAFT)  # not from a feed
    ArticleFactory(title="Already out", guid="urn:out", source=ledger)  # published
    # The two ferry drafts are one event (as stories/matching.py would find).
    story = Story.objects.create(slug="ferry-strike", lead=a)
    StoryMembership.objects.create(article=a, story=story, reason="first")
    StoryMembership.objects.create(article=b, story=story, reason="similar")
    return {"ledger": ledger, "courier": courier, "a": a, "b": b, "c": c}


def test_drafts_are_grouped_by_story_newest_first(incoming):
    groups = desk.group_by_story(list(desk.incoming_drafts()))
    titles = [[d.title for d in g.drafts] for g in groups]
    assert ["Ferry crews back at work", "Ferry strike ends"] in titles
    assert titles[0][0] == "Ferry crews back at work"  # the newest group first
    assert ["Chess club wins the cup"] in titles  # a lone draft is its own group
    assert all("Our own draft" not in t and "Already out" not in t for t in titles)
    assert groups[0].story.slug == "ferry-strike" and groups[0].sources == 2


def test_counts_per_source_and_trust(incoming):
    counts = desk.counts_per_source(list(desk.incoming_drafts()))
    assert [(s.name, n) for s, n in counts] == [("Valley Courier", 2), ("The Harbour Ledger", 1)]
    assert desk.source_trust(incoming["ledger"]) == ("Vetted source", "vetted")
    assert desk.source_trust(incoming["courier"]) == ("New source", "new")


def test_the_desk_page_lists_groups_with_source_time_and_trust(
    client, editor, incoming, django_assert_num_queries
):
    client.force_login(editor)
    client.get(URL)  # warm the session and permission caches
    with django_assert_num_queries(4):  # session with user, 2 x permissions, the drafts
        page = client.get(URL).content.decode()
    assert page.index("Ferry crews back at work") < page.index("Chess club wins the cup")
    assert "Valley Courier" in page and "New source" in page and "Vetted source" in page
    assert "Our own draft" not in page and "Already out" not in page
    assert 'class="desk-count">2<' in page


def test_publish_and_reject_from_the_desk(client, editor, incoming):
    client.force_login(editor)
    b, c = incoming["b"], incoming["c"]
    response = client.post(URL, {"single": f"publish:{b.pk}", "focus": str(c.pk)})
    assert response.status_code == 302 and response["Location"].endswith(f"#draft-{c.pk}")
    b.refresh_from_db()
    assert b.status == Article.Status.PUBLISHED and b.revisions.count() == 1
    client.post(URL, {"action": "reject", "ids": [c.pk, incoming["a"].pk]})
    c.refresh_from_db()
    assert c.status == Article.Status.WITHDRAWN
    assert list(desk.incoming_drafts()) == []


def test_open_several_shows_them_in_full(client, editor, incoming):
    client.force_login(editor)
    a, c = incoming["a"], incoming["c"]
    response = client.post(URL, {"action": "open", "ids": [a.pk, c.pk]})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "2 selected drafts, in full" in page
    assert "The vote came after a long evening of debate." in page  # the body
    assert "Ferry crews back at work" not in page


def test_a_moderator_without_article_permissions_gets_403(client, moderator, incoming):
    client.force_login(moderator)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"action": "reject", "ids": [incoming["b"].pk]}).status_code == 403
    incoming["b"].refresh_from_db()
    assert incoming["b"].status == Article.Status.DRAFT


def test_publishing_needs_the_publish_permission_under_review(client, settings, incoming):
    settings.REQUIRE_REVIEW = True
    writer = EditorFactory()
    writer.groups.clear()
    from django.contrib.auth.models import Permission

    writer.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(writer)
    page = client.get(URL).content.decode()
    assert "Publish selected" not in page
    assert client.post(URL, {"single": f"publish:{incoming['b'].pk}"}).status_code == 403
    assert ModeratorFactory  # (moderators: the test above)
