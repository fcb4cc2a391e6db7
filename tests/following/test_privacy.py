"""What a reader follows is theirs: erased with the account, in their data export."""

from __future__ import annotations

import json
from datetime import time

import pytest
from django.urls import reverse

from accounts import services as account_services
from following import services
from following.models import Delivery, Follow, ReaderSettings

from .conftest import follow

pytestmark = pytest.mark.django_db


def test_account_deletion_erases_follows_and_mail_choices(reader, topic):
    follow(reader, "topic", topic.slug)
    services.update_mail_settings(
        user=reader, briefing=True, briefing_time=time(7), time_zone="UTC", story_updates=True
    )
    Delivery.objects.create(user=reader, day="2026-12-01", mailed=True)
    account_services.delete_account(user=reader)
    assert not Follow.objects.filter(user=reader).exists()
    assert not ReaderSettings.objects.filter(user=reader).exists()
    assert not Delivery.objects.filter(user=reader).exists()


def test_the_data_export_has_what_the_reader_follows(client, reader, topic):
    follow(reader, "topic", topic.slug)
    services.update_mail_settings(
        user=reader, briefing=True, briefing_time=time(6, 30), time_zone="Asia/Seoul",
        story_updates=False,
    )  # fmt: skip
    client.force_login(reader)
    response = client.get(reverse("accounts:export"))
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == reader.email
    assert data["following"]["follows"][0]["slug"] == topic.slug
    assert data["following"]["mail"] == {
        "briefing": True, "briefing_time": "06:30", "time_zone": "Asia/Seoul",
        "story_updates": False,
    }  # fmt: skip
    assert client.get(reverse("accounts:export")).status_code == 200
    client.logout()
    assert client.get(reverse("accounts:export")).status_code == 302
