"""Follows, the Following list and briefing settings through the API (token sign-in)."""

from __future__ import annotations

import pytest

from following.models import Follow, ReaderSettings
from tests import factories
from tests.following.conftest import report, story_of

pytestmark = pytest.mark.django_db


def test_follow_list_and_unfollow(ada_app, ada):
    factories.TopicFactory(name="Ferries", slug="ferries")
    response = ada_app.send("post", "/api/v1/me/follows", {"kind": "topic", "slug": "ferries"})
    assert response.status_code == 201
    assert response.json()["feed_url"] == "http://testserver/topics/ferries/feed.rss"
    again = ada_app.send("post", "/api/v1/me/follows", {"kind": "topic", "slug": "ferries"})
    assert again.status_code == 201 and Follow.objects.filter(user=ada).count() == 1
    items = ada_app.get("/api/v1/me/follows").json()["items"]
    assert [(i["kind"], i["slug"], i["name"]) for i in items] == [("topic", "ferries", "Ferries")]
    follow_id = items[0]["id"]
    assert ada_app.send("delete", f"/api/v1/me/follows/{follow_id}").status_code == 204
    gone = ada_app.send("delete", f"/api/v1/me/follows/{follow_id}")
    assert gone.status_code == 404 and gone.json()["code"] == "not_found"


def test_unknown_things_and_kinds_are_problems(ada_app):
    missing = ada_app.send("post", "/api/v1/me/follows", {"kind": "topic", "slug": "nope"})
    assert missing.status_code == 404
    wrong = ada_app.send("post", "/api/v1/me/follows", {"kind": "reader", "slug": "x"})
    assert wrong.status_code == 422
    assert ada_app.send("delete", "/api/v1/me/follows/999999").status_code == 404


def test_anonymous_callers_get_401(app):
    for path in ("/api/v1/me/follows", "/api/v1/me/following", "/api/v1/me/briefing"):
        assert app.get(path).status_code == 401, path


def test_following_list_pages_with_a_cursor(ada_app, ada):
    topic = factories.TopicFactory(slug="ferries")
    articles = [report(hours_ago=h + 1, topics=[topic]) for h in range(5)]
    ada_app.send("post", "/api/v1/me/follows", {"kind": "topic", "slug": "ferries"})
    first = ada_app.get("/api/v1/me/following", limit=3).json()
    assert [i["story"]["slug"] for i in first["items"]] == [story_of(a).slug for a in articles[:3]]
    assert all(item["new"] for item in first["items"])
    second = ada_app.get("/api/v1/me/following", limit=3, cursor=first["next_cursor"]).json()
    assert len(second["items"]) == 2 and second["next_cursor"] is None
    assert ada_app.get("/api/v1/me/following", cursor="made-up").status_code == 400


def test_briefing_settings_round_trip(ada_app, ada):
    assert ada_app.get("/api/v1/me/briefing").json()["briefing"] is False
    chosen = {
        "briefing": True, "briefing_time": "07:00", "time_zone": "Asia/Seoul",
        "story_updates": True,
    }  # fmt: skip
    response = ada_app.send("put", "/api/v1/me/briefing", chosen)
    assert response.status_code == 200 and response.json() == chosen
    assert ReaderSettings.objects.get(user=ada).next_mail_at is not None
    bad = ada_app.send("put", "/api/v1/me/briefing", {**chosen, "time_zone": "Mars/Base"})
    assert bad.status_code == 422
    assert (
        ada_app.send("put", "/api/v1/me/briefing", {**chosen, "briefing_time": "25:00"}).status_code
        == 422
    )


def test_every_time_zone_the_server_knows_fits_the_document_and_is_accepted(client, ada_app):
    """The document gives a zone name's form, not the ~600 names: every name the server's
    tz database has must fit that form and pass the API's validation, and one that is not
    a zone is refused with a 422 naming the field."""
    import re
    import zoneinfo

    from api.schemas import BriefingSettings

    spec = client.get("/api/v1/openapi.json").json()
    field = spec["components"]["schemas"]["BriefingSettings"]["properties"]["time_zone"]
    form = re.compile(field["pattern"])
    zones = sorted(zoneinfo.available_timezones())
    assert len(zones) > 400
    chosen = {"briefing": True, "briefing_time": "07:00", "story_updates": False}
    for zone in zones:
        assert form.search(zone) and len(zone) <= field["maxLength"], zone
        assert BriefingSettings.model_validate({**chosen, "time_zone": zone}).time_zone == zone
    for zone in ("America/Argentina/ComodRivadavia", "Etc/GMT+5", "UTC"):
        response = ada_app.send("put", "/api/v1/me/briefing", {**chosen, "time_zone": zone})
        assert response.status_code == 200 and response.json()["time_zone"] == zone
    refused = ada_app.send("put", "/api/v1/me/briefing", {**chosen, "time_zone": "Europe/Atlantis"})
    assert form.search("Europe/Atlantis") and refused.status_code == 422
    assert "time_zone" in str(refused.json()["errors"])


def test_a_reader_never_sees_another_s_follows(ada_app, bram_app, ada):
    factories.TopicFactory(slug="ferries")
    mine = ada_app.send("post", "/api/v1/me/follows", {"kind": "topic", "slug": "ferries"})
    assert bram_app.get("/api/v1/me/follows").json()["items"] == []
    assert bram_app.send("delete", f"/api/v1/me/follows/{mine.json()['id']}").status_code == 404
    assert Follow.objects.filter(user=ada).count() == 1


def test_a_follow_beyond_the_limit_is_a_409_the_schema_documents(ada_app, ada, settings):
    settings.FOLLOWS_MAX = 1
    factories.TopicFactory(slug="ferries")
    factories.TopicFactory(slug="quays")
    assert (
        ada_app.send("post", "/api/v1/me/follows", {"kind": "topic", "slug": "ferries"}).status_code
        == 201
    )
    refused = ada_app.send("post", "/api/v1/me/follows", {"kind": "topic", "slug": "quays"})
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "follow_limit"
    assert "the most one reader can" in refused.json()["detail"]
    again = ada_app.send("post", "/api/v1/me/follows", {"kind": "topic", "slug": "ferries"})
    assert again.status_code == 201 and Follow.objects.filter(user=ada).count() == 1
    schema = ada_app.get("/api/v1/openapi.json").json()
    documented = schema["paths"]["/api/v1/me/follows"]["post"]["responses"]["409"]
    assert "follow_limit" in str(documented)
