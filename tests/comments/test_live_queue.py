"""The live moderation queue's poll (issue 33): rows the page does not show yet, in queue
order, with the header counts."""

import pytest
from django.urls import reverse

from comments import services
from comments.models import Status
from tests.factories import CommentFactory, ConfirmedReaderFactory

pytestmark = pytest.mark.django_db

LIVE = "/comments/moderation/live/"


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def test_only_moderators_poll(client, reader):
    assert client.get(LIVE).status_code == 302  # to the login page
    client.force_login(reader)
    assert client.get(LIVE).status_code == 403


def test_the_queue_page_says_where_to_poll(mod_client):
    page = mod_client.get(reverse("comments:queue") + "?status=reported").content.decode()
    assert f'data-live="{LIVE}?status=reported"' in page
    assert 'id="queue-empty"' in page  # an empty queue still has a list to fill


def test_new_rows_come_in_queue_order_after_the_rows_shown(mod_client, article):
    shown = CommentFactory(article=article, status=Status.PENDING)
    first_new = CommentFactory(article=article, status=Status.PENDING, body="Fresh one.")
    second_new = CommentFactory(article=article, status=Status.PENDING, body="Fresh two.")
    CommentFactory(article=article, status=Status.APPROVED)  # not in the pending view
    data = mod_client.get(LIVE, {"shown": f"{shown.pk},junk,"}).json()
    assert [(r["id"], r["after"]) for r in data["rows"]] == [
        (str(first_new.pk), str(shown.pk)),
        (str(second_new.pk), str(first_new.pk)),
    ]
    assert f'id="q-{first_new.pk}"' in data["rows"][0]["html"]
    assert "Fresh one." in data["rows"][0]["html"]
    assert data["counts"] == {"pending": 3, "reported": 0}
    assert data["count_text"] == "3 comments."


def test_a_reported_comment_joins_the_reported_view(mod_client, article):
    calm = CommentFactory(article=article, status=Status.APPROVED)
    rude = CommentFactory(article=article, status=Status.APPROVED)
    services.report_comment(comment=rude, reporter=ConfirmedReaderFactory(), category="abuse")
    data = mod_client.get(LIVE, {"status": "reported", "shown": str(calm.pk)}).json()
    assert [r["id"] for r in data["rows"]] == [str(rude.pk)]
    assert data["rows"][0]["after"] == ""  # the top of the list
    assert data["counts"]["reported"] == 1


def test_a_poll_with_nothing_new_sends_no_rows(mod_client, article, django_assert_num_queries):
    rows = [CommentFactory(article=article, status=Status.PENDING) for _ in range(3)]
    shown = ",".join(str(c.pk) for c in rows)
    mod_client.get(LIVE, {"shown": shown})
    # the session with its user, the permission check (two), the ids (the total too:
    # less than a page), the header counts
    with django_assert_num_queries(5):
        data = mod_client.get(LIVE, {"shown": shown}).json()
    assert data["rows"] == [] and data["count_text"] == "3 comments."
