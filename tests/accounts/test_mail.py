"""Mails have an HTML part and the site's name; notices turn off in one step."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.mail import unsubscribe_token
from comments import services
from comments.models import Status
from tests.factories import ArticleFactory, CommentFactory, ConfirmedReaderFactory, ModeratorFactory

pytestmark = pytest.mark.django_db


def decision_mail(django_capture_on_commit_callbacks, settings):
    settings.SITE_NAME = "Harbour Post"
    author = ConfirmedReaderFactory()
    comment = CommentFactory(article=ArticleFactory(), author=author, status=Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_reject(comment=comment, moderator=ModeratorFactory(), reason="Rude <b>")
    (message,) = mail.outbox
    return author, message


def test_notice_has_html_site_name_and_list_unsubscribe(
    django_capture_on_commit_callbacks, settings
):
    author, message = decision_mail(django_capture_on_commit_callbacks, settings)
    assert message.subject.startswith("[Harbour Post]")
    html, kind = message.alternatives[0]
    assert kind == "text/html" and "Harbour Post" in html
    assert "Rude &lt;b&gt;" in html and "Rude <b>" not in html
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body and url.replace("&", "&amp;") in html
    assert url.startswith(settings.SITE_URL + "/accounts/unsubscribe/")


def test_one_click_post_turns_that_notice_off(client, django_capture_on_commit_callbacks, settings):
    author, message = decision_mail(django_capture_on_commit_callbacks, settings)
    path = message.extra_headers["List-Unsubscribe"].strip("<>")[len(settings.SITE_URL) :]
    # A link checker opening the link changes nothing.
    assert client.get(path).status_code == 200
    author.refresh_from_db()
    assert author.notify_on_moderation
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "no longer receive" in response.content.decode()
    author.refresh_from_db()
    assert not author.notify_on_moderation and author.notify_on_reply


def test_bad_or_foreign_tokens_change_nothing(client):
    reader = ConfirmedReaderFactory()
    for token in ("nonsense", unsubscribe_token(reader, "reply")[:-2] + "xx"):
        response = client.post(reverse("accounts:unsubscribe", args=[token]))
        assert response.status_code == 404
    reader.refresh_from_db()
    assert reader.notify_on_reply


def test_allauth_mails_get_an_html_part(client, settings):
    settings.SITE_NAME = "Harbour Post"
    client.post(
        reverse("account_signup"),
        {
            "display_name": "Nell Brook",
            "email": "nell@example.org",
            "password1": "a-Long-passw0rd!",
            "password2": "a-Long-passw0rd!",
        },
    )
    (message,) = mail.outbox
    html, kind = message.alternatives[0]
    assert kind == "text/html" and "Harbour Post" in html and "confirm-email" in html
