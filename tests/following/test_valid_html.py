"""The new pages, and the briefing's HTML part, are valid HTML (Nu HTML checker)."""

from __future__ import annotations

from datetime import time

import pytest
from django.core import mail
from django.core.management import call_command

from following import services, tokens
from tests.serving.test_valid_html import nu_errors

from .conftest import follow, report

pytestmark = pytest.mark.django_db


def test_following_pages_and_the_briefing_have_no_nu_errors(client, reader, topic, tmp_path):
    report(hours_ago=1, topics=[topic], byline="Jane Roe")
    pages = {"topic-anonymous": client.get(topic.get_absolute_url()).content.decode()}
    follow(reader, "topic", topic.slug)
    services.update_mail_settings(
        user=reader, briefing=True, briefing_time=time(7), time_zone="UTC", story_updates=True
    )
    client.force_login(reader)
    for name, path in {
        "topic": topic.get_absolute_url(),
        "author": "/authors/jane-roe/",
        "following": "/following/",
        "profile": "/accounts/profile/",
        "unsubscribe": f"/following/unsubscribe/{tokens.make(reader.pk, 'briefing')}/",
    }.items():
        response = client.get(path)
        assert response.status_code == 200, path
        pages[name] = response.content.decode()
    call_command("send_briefings", "--now", stdout=open("/dev/null", "w"))
    pages["briefing-mail"] = mail.outbox[0].alternatives[0][0]
    assert nu_errors(pages, tmp_path) == []
