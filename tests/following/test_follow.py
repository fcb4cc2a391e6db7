"""Following and unfollowing with the button; the anonymous reader's round trip; the
profile's list; OPML; the database's invariants."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from articles.models import Article
from following.models import Follow
from tests import factories

from .conftest import follow, report, story_of

pytestmark = pytest.mark.django_db


def _press(client, kind, slug, action="follow", next_url="/"):
    return client.post(
        reverse("following:toggle"),
        {"kind": kind, "slug": slug, "action": action, "next": next_url},
    )


def test_the_button_follows_and_unfollows_and_goes_back(client, reader, topic):
    client.force_login(reader)
    page = topic.get_absolute_url()
    assert 'aria-pressed="false"' in client.get(page).content.decode()
    response = _press(client, "topic", "ferries", next_url=page)
    assert response.status_code == 302 and response["Location"] == page
    assert Follow.objects.filter(user=reader, topic=topic).count() == 1
    html = client.get(page).content.decode()
    assert 'aria-pressed="true"' in html and ">Following</button>" in html
    _press(client, "topic", "ferries", next_url=page)  # twice: still one follow
    assert Follow.objects.filter(user=reader).count() == 1
    _press(client, "topic", "ferries", action="unfollow", next_url=page)
    assert not Follow.objects.filter(user=reader).exists()


def test_every_kind_can_be_followed_from_its_page(client, reader, topic):
    article = report(byline="Jane Roe", topics=[topic])
    client.force_login(reader)
    pages = {
        "topic": ("ferries", topic.get_absolute_url()),
        "source": (article.source.slug, article.source.get_absolute_url()),
        "author": ("jane-roe", "/authors/jane-roe/"),
        "story": (story_of(article).slug, story_of(article).get_absolute_url()),
    }
    for kind, (slug, page) in pages.items():
        assert f'name="slug" value="{slug}"' in client.get(page).content.decode(), kind
        _press(client, kind, slug, next_url=page)
    assert sorted(Follow.objects.values_list("kind", flat=True)) == sorted(pages)
    author = Follow.objects.get(kind="author")
    assert (author.author_slug, author.author_name) == ("jane-roe", "Jane Roe")


def test_unknown_targets_and_foreign_next_urls_are_refused(client, reader, topic):
    client.force_login(reader)
    assert _press(client, "topic", "no-such-topic").status_code == 400
    assert _press(client, "reader", "ferries").status_code == 400
    response = _press(client, "topic", "ferries", next_url="https://evil.example/")
    assert response["Location"] == reverse("following:page")


def test_an_anonymous_reader_signs_in_and_comes_back_following(client, topic):
    reader = factories.ConfirmedReaderFactory()
    page = topic.get_absolute_url()
    html = client.get(page).content.decode()
    # The anonymous page carries no token: a GET form, so the page stays cacheable.
    assert 'method="post" action="/following/start/"' in html
    assert "csrfmiddlewaretoken" not in html
    intent = {"kind": "topic", "slug": "ferries", "next": page}
    asked = client.post(reverse("following:start"), intent)
    assert "ferries" not in asked["Location"]  # what they follow is in no URL
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("account_login"))
    login = client.post(
        asked["Location"], {"login": reader.email, "password": "a-Long-passw0rd!"}, follow=True
    )
    assert login.redirect_chain[-1][0] == page
    assert Follow.objects.filter(user=reader, topic=topic).exists()
    assert "You follow Ferries." in login.content.decode()


def test_resume_without_an_intent_follows_nothing(client, reader, topic):
    client.force_login(reader)
    assert client.get(reverse("following:resume")).status_code == 302
    assert not Follow.objects.exists()


def test_the_database_refuses_a_follow_naming_two_things_or_twice(reader, topic):
    source = factories.SourceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=reader, kind="topic", topic=topic, source=source)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=reader, kind="author")
    Follow.objects.create(user=reader, kind="topic", topic=topic)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=reader, kind="topic", topic=topic)


def test_the_profile_lists_follows_and_unfollows_them(client, reader, topic):
    follow(reader, "topic", "ferries")
    client.force_login(reader)
    html = client.get(reverse("accounts:profile_edit")).content.decode()
    assert 'id="following"' in html and "Ferries" in html and "Unfollow" in html
    _press(client, "topic", "ferries", action="unfollow", next_url="/accounts/profile/#following")
    assert not Follow.objects.exists()


def test_opml_lists_each_followed_feed(client, reader, topic):
    article = report(byline="Jane Roe")
    follow(reader, "topic", "ferries")
    follow(reader, "author", "jane-roe")
    follow(reader, "story", story_of(article).slug)
    client.force_login(reader)
    response = client.get(reverse("following:opml"))
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/x-opml")
    assert 'xmlUrl="http://testserver/topics/ferries/feed.rss"' in text
    assert 'xmlUrl="http://testserver/authors/jane-roe/feed.rss"' in text
    assert f"/stories/{story_of(article).slug}/feed.rss" in text
    assert text.count('type="rss"') == 3


def test_no_one_else_sees_what_a_reader_follows(client, reader, topic):
    follow(reader, "topic", "ferries")
    other = factories.UserFactory()
    client.force_login(other)
    assert "Ferries" not in client.get(reverse("following:page")).content.decode()
    assert "ferries" not in client.get(reverse("following:opml")).content.decode()
    assert "Ferries" not in client.get(reader.get_absolute_url()).content.decode()


def test_a_follow_whose_thing_vanished_can_still_be_unfollowed_from_the_profile(
    client, reader, topic
):
    # An author is a byline, not a row: once their last article is withdrawn (or the
    # byline corrected), no page names them, but the reader's follow stays on their list.
    article = report(byline="Jane Roe")
    follow(reader, "author", "jane-roe")
    Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)
    client.force_login(reader)
    assert "Jane Roe" in client.get(reverse("accounts:profile_edit")).content.decode()
    response = _press(client, "author", "jane-roe", action="unfollow", next_url="/accounts/")
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert not Follow.objects.filter(user=reader).exists()
    # Still nothing to unfollow for a reader who never followed it, nor to follow.
    assert _press(client, "author", "jane-roe", action="unfollow").status_code == 400
    assert _press(client, "author", "jane-roe").status_code == 400


def test_opml_is_well_formed_xml_whatever_the_names_hold(client, reader):
    # Names are editors' (topics, sources) or bylines: markup, quotes and a control
    # character pasted into the admin must neither break the file nor inject into it.
    topic = factories.TopicFactory(name='Quays & <b>"Piers"</b>\x01\x0b', slug="quays")
    factories.SourceFactory(name="Wire ]]> &amp; \x1f", slug="wire")
    follow(reader, "topic", "quays")
    follow(reader, "source", "wire")
    client.force_login(reader)
    tree = ElementTree.fromstring(client.get(reverse("following:opml")).content)
    names = sorted(o.get("text") for o in tree.iter("outline") if o.get("type") == "rss")
    assert names == [topic.name[:-2], "Wire ]]> &amp; "]


def test_another_site_cannot_plant_a_follow_or_sign_a_reader_out_through_start(client, topic):
    # `start` takes no CSRF token (the anonymous page is cached). Browsers withhold the
    # Lax session cookie from another site's POST: the view then saw an anonymous visitor
    # and answered with a new session cookie, replacing (signing out) the reader's, with
    # the other site's choice of follow waiting in it for /following/resume/.
    intent = {"kind": "topic", "slug": "ferries", "next": "/"}
    foreign = client.post(reverse("following:start"), intent, HTTP_ORIGIN="https://evil.example")
    assert foreign.status_code == 302 and foreign["Location"] == "/"
    assert settings.SESSION_COOKIE_NAME not in foreign.cookies
    ours = client.post(reverse("following:start"), intent, HTTP_ORIGIN="http://testserver")
    assert ours["Location"].startswith(reverse("account_login"))
    assert client.session["following_intent"]["slug"] == "ferries"


def test_a_story_readers_cannot_see_cannot_be_followed_and_one_led_by_a_draft_is_named_right(
    client, reader
):
    # Drafts join stories: a story of drafts alone has no page (404), and a story led by
    # a trusted draft is named by the report its page leads with.
    draft = report(status="draft", title="Draft: not for readers")
    client.force_login(reader)
    assert client.get(story_of(draft).get_absolute_url()).status_code == 404
    assert _press(client, "story", story_of(draft).slug).status_code == 400
    shown = report(hours_ago=3, source=factories.SourceFactory(vetted=False))
    report(hours_ago=2, story_of=shown, status="draft", title="Another draft")
    assert story_of(shown).lead.status == "draft"
    _press(client, "story", story_of(shown).slug)
    assert f"You follow {shown.title}." in client.get("/").content.decode()


def test_a_reader_at_the_limit_is_told_so_and_stays_on_the_page(client, reader, settings):
    # No cap let a script follow 100,000 things and make the reader's Following page and
    # briefing costly. One more than FOLLOWS_MAX is refused by the model, whatever path.
    settings.FOLLOWS_MAX = 2
    for slug in ("ferries", "quays", "piers"):
        factories.TopicFactory(slug=slug, name=slug.title())
    follow(reader, "topic", "ferries")
    follow(reader, "topic", "quays")
    client.force_login(reader)
    page = "/topics/piers/"
    response = _press(client, "topic", "piers", next_url=page)
    assert response.status_code == 302 and response["Location"] == page
    html = client.get(page).content.decode()
    assert "You follow 2 things, the most one reader can." in html
    assert 'aria-pressed="false"' in html
    assert Follow.objects.filter(user=reader).count() == 2
    # Following again what one follows is no error; after an unfollow there is room.
    assert _press(client, "topic", "quays").status_code == 302
    _press(client, "topic", "quays", action="unfollow")
    _press(client, "topic", "piers", next_url=page)
    assert sorted(Follow.objects.filter(user=reader).values_list("topic__slug", flat=True)) == [
        "ferries",
        "piers",
    ]


def test_the_limit_holds_for_the_orm_and_after_sign_in(client, settings, topic):
    from following.models import FollowLimitReached

    settings.FOLLOWS_MAX = 1
    reader = factories.ConfirmedReaderFactory()
    other = factories.TopicFactory(slug="quays")
    Follow.objects.create(user=reader, kind="topic", topic=other)
    with pytest.raises(FollowLimitReached):
        Follow.objects.create(user=reader, kind="topic", topic=topic)
    # The anonymous reader's follow, done after signing in, is refused with the message.
    client.post(reverse("following:start"), {"kind": "topic", "slug": "ferries", "next": "/"})
    done = client.post(
        reverse("account_login") + "?next=" + reverse("following:resume"),
        {"login": reader.email, "password": "a-Long-passw0rd!"},
        follow=True,
    )
    assert done.status_code == 200
    assert "the most one reader can" in done.content.decode()
    assert list(Follow.objects.filter(user=reader).values_list("topic", flat=True)) == [other.pk]
