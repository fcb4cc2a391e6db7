"""What the mails say: the briefing's top stories, key points and sources in both parts,
story updates once a day, named by a published report, and a headline with a line break
that breaks neither the subject nor the batch."""

from __future__ import annotations

import email

import pytest
from django.core import mail
from django.core.management import call_command

from articles import publishing
from articles.models import Article
from stories.models import KeyPoint
from tests import factories

from .conftest import (
    briefing_reader,
    report,
    story_of,
    story_reader,
)

pytestmark = pytest.mark.django_db


def test_the_briefing_has_top_stories_key_points_sources_and_both_parts(topic):
    lead = report(hours_ago=3, topics=[topic])
    other = factories.SourceFactory(name="Coast Post")
    report(hours_ago=2, story_of=lead, source=other)
    KeyPoint.objects.create(
        story=story_of(lead), source_article=lead, sentence="The quay reopens on Monday."
    )
    reader = briefing_reader(topic)
    call_command("send_briefings", "--now", "--reader", reader.email, stdout=open("/dev/null", "w"))
    (message,) = mail.outbox
    text = message.body
    assert story_of(lead).lead.title in text and "2 sources cover it" in text
    assert '"The quay reopens on Monday."' in text
    html = message.alternatives[0][0]
    assert "The quay reopens on Monday." in html and "Full coverage" in html
    assert message.subject.startswith("[Newsroom] Your briefing: ")


def test_story_updates_come_once_a_day_batched(topic, editor):
    first = report(hours_ago=30)
    story_reader(first)
    report(hours_ago=2, story_of=first, source=factories.SourceFactory(name="Coast Post"))
    report(hours_ago=1, story_of=first, source=factories.SourceFactory(name="Wire Service"))
    publishing.correct(article=first, author=editor, text="An earlier version misnamed the ferry.")
    call_command("send_briefings", "--now", stdout=open("/dev/null", "w"))
    (message,) = mail.outbox
    assert message.subject == "[Newsroom] News on 1 story you follow"
    assert "New report from Coast Post" in message.body
    assert "New report from Wire Service" in message.body
    assert "misnamed the ferry" in message.body
    assert "/following/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_a_headline_with_a_line_break_neither_breaks_the_subject_nor_the_batch(topic):
    # Feeds' titles are collapsed on import; an editor's, an API's or the admin's need not
    # be. Django refuses a header with a newline: the whole batch would fail every minute.
    article = report(hours_ago=1, topics=[topic])
    Article.objects.filter(pk=article.pk).update(title="Quay reopens\r\nBcc: all@evil.example")
    first, second = briefing_reader(topic), briefing_reader(topic)
    call_command("send_briefings", "--now", stdout=open("/dev/null", "w"))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    parsed = email.message_from_bytes(mail.outbox[0].message().as_bytes())
    assert parsed["Subject"] == "[Newsroom] Your briefing: Quay reopens Bcc: all@evil.example"
    assert parsed["Bcc"] is None


def test_story_updates_name_a_story_led_by_a_draft_by_a_published_report():
    # A trusted draft can lead its story (stories/trust.py): the update names the story as
    # its page does, by a published report, never by the draft's headline.
    shown = report(hours_ago=30, source=factories.SourceFactory(name="New Wire", vetted=False))
    report(hours_ago=20, story_of=shown, status="draft", title="Draft: not for readers")
    story_reader(shown)
    coast = factories.SourceFactory(name="Coast Post", vetted=False)
    report(hours_ago=1, story_of=shown, source=coast)
    assert story_of(shown).lead.status == "draft"
    call_command("send_briefings", "--now", stdout=open("/dev/null", "w"))
    (message,) = mail.outbox
    assert "New report from Coast Post" in message.body
    for part in (message.body, message.alternatives[0][0]):
        assert "not for readers" not in part and shown.title in part
