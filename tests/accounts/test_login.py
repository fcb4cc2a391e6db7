"""Log in, log out and the way back to the article."""

import pytest
from django.urls import reverse

from tests.accounts.helpers import PASSWORD, page_text
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")


def _login(client, user, password=PASSWORD, next_url=None):
    data = {"login": user.email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(LOGIN, data)


def test_log_in_to_comment_returns_to_the_article(client, confirmed_reader):
    article = ArticleFactory()
    article_html = page_text(client.get(article.get_absolute_url()))
    expected_link = f"{LOGIN}?next={article.get_absolute_url()}%23comments"
    assert expected_link in article_html

    login_page = client.get(expected_link)
    html = page_text(login_page)
    assert 'name="next"' in html and f'value="{article.get_absolute_url()}#comments"' in html
    # The sign-up link on the login page carries the same `next`.
    assert f"{reverse('account_signup')}?next=" in html

    response = _login(client, confirmed_reader, next_url=f"{article.get_absolute_url()}#comments")
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comments"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/phish", "//evil.example/phish", "http://evil.example", "javascript:x"],
)
def test_next_to_another_host_is_ignored(client, confirmed_reader, next_url):
    response = _login(client, confirmed_reader, next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == "/"
    login_page = client.get(f"{LOGIN}?next={next_url}")
    assert "evil.example" not in page_text(login_page)


def test_wrong_password_keeps_email_and_says_so(client, confirmed_reader):
    response = _login(client, confirmed_reader, password="not-my-password")
    html = page_text(response)
    assert response.status_code == 200
    assert "not correct" in html
    assert f'value="{confirmed_reader.email}"' in html
    assert "_auth_user_id" not in client.session


def test_login_does_not_reveal_whether_an_email_has_an_account(client, confirmed_reader):
    known = _login(client, confirmed_reader, password="not-my-password")
    unknown = client.post(LOGIN, {"login": "nobody@example.org", "password": "not-my-password"})
    assert known.status_code == unknown.status_code == 200
    known_errors = known.context["form"].errors
    unknown_errors = unknown.context["form"].errors
    assert known_errors == unknown_errors


def test_failed_logins_are_rate_limited(client, confirmed_reader):
    for _ in range(5):
        assert _login(client, confirmed_reader, password="guess-again").status_code == 200
    # Even the right password is refused until the limit expires.
    response = _login(client, confirmed_reader)
    assert response.status_code == 200
    assert "Too many failed login attempts" in page_text(response)
    assert "_auth_user_id" not in client.session


def test_header_shows_name_profile_and_logout(client, confirmed_reader):
    client.force_login(confirmed_reader)
    article = ArticleFactory()
    html = page_text(client.get(article.get_absolute_url()))
    assert f'href="{confirmed_reader.get_absolute_url()}"' in html
    assert confirmed_reader.public_name in html
    assert f'href="{reverse("accounts:settings")}"' in html
    # Log out is a one-step POST with CSRF, coming back to the page (issue 33).
    assert (
        f'<form class="account-nav__logout" method="post" action="{reverse("account_logout")}">'
        in html
    )
    assert f'name="next" value="{article.get_absolute_url()}"' in html
    assert confirmed_reader.email not in html


def test_log_out_asks_then_signs_out_and_returns(client, confirmed_reader):
    client.force_login(confirmed_reader)
    article = ArticleFactory()
    confirm = client.get(f"{reverse('account_logout')}?next={article.get_absolute_url()}")
    assert confirm.status_code == 200
    assert "Do you want to log out" in page_text(confirm)
    response = client.post(reverse("account_logout"), {"next": article.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert "_auth_user_id" not in client.session
    assert ">Log in<" in page_text(client.get(article.get_absolute_url()))


def test_logout_next_to_another_host_is_ignored(client, confirmed_reader):
    client.force_login(confirmed_reader)
    response = client.post(reverse("account_logout"), {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_log_out_from_the_header_is_one_post_with_csrf(confirmed_reader, settings):
    # Issue 33: no confirmation page from the header; a GET still only asks.
    import re

    from django.test import Client

    assert getattr(settings, "ACCOUNT_LOGOUT_ON_GET", False) is False
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(confirmed_reader)
    article = ArticleFactory()
    html = browser.get(article.get_absolute_url()).content.decode()
    form = re.search(r'<form class="account-nav__logout".*?</form>', html, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert browser.post(reverse("account_logout"), {"next": "/"}).status_code == 403  # no CSRF
    response = browser.post(
        reverse("account_logout"),
        {"csrfmiddlewaretoken": token, "next": article.get_absolute_url()},
    )
    assert (response.status_code, response["Location"]) == (302, article.get_absolute_url())
    assert "_auth_user_id" not in browser.session
    assert browser.get(reverse("account_logout")).status_code == 302  # signed out: nothing to ask
