"""Sessions that load their user in the same query (accounts/sessions.py): one query per
signed-in request, and every check Django's own `get_user` makes still made."""

import pytest
from django.apps import apps
from django.contrib import auth
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Session
from accounts.sessions import SessionStore, get_user

pytestmark = pytest.mark.django_db
ABOUT = reverse("articles:page", args=["about"])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def request_for(client: Client):
    """A request carrying the client's session cookie, its session not read yet."""
    request = RequestFactory().get(ABOUT)
    request.session = SessionStore(client.session.session_key)
    return request


def both(client: Client) -> tuple:
    """(ours, Django's get_user) for the same session, each on a fresh session object."""
    return get_user(request_for(client)), auth.get_user(request_for(client))


def test_a_signed_in_page_reads_its_session_and_user_in_one_query(reader):
    client = signed_in(reader)
    client.get(ABOUT)  # the page's shared parts built and kept
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(ABOUT)
    assert response.status_code == 200
    assert response.context["user"] == reader
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == 1, sql
    assert 'FROM "accounts_session"' in sql[0] and '"accounts_user"' in sql[0]


def test_the_session_row_names_its_user_and_logout_deletes_it(reader):
    client = signed_in(reader)
    key = client.session.session_key
    assert Session.objects.get(pk=key).user_id == reader.pk
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(pk=key).exists()
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get(ABOUT).context["user"].is_anonymous


def test_a_changed_password_ends_other_sessions(reader):
    client = signed_in(reader)
    reader.set_password("an entirely new password 9")
    reader.save()
    ours, django = both(client)
    assert ours.is_anonymous and django.is_anonymous
    assert not Session.objects.filter(pk=client.session.session_key).exists()  # flushed


def test_an_inactive_user_is_signed_out_as_django_does(reader):
    client = signed_in(reader)
    type(reader).objects.filter(pk=reader.pk).update(is_active=False)
    ours, django = both(client)
    assert ours.is_anonymous and django.is_anonymous


def test_a_session_signed_with_a_previous_secret_still_works_and_is_renewed(reader, settings):
    client = signed_in(reader)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new secret key that is long enough to be taken seriously, 0123"
    old_key = client.session.session_key
    request = request_for(client)
    assert get_user(request) == reader
    assert request.session.session_key != old_key  # cycled, as Django's get_user does
    assert request.session[auth.HASH_SESSION_KEY] == reader.get_session_auth_hash()


def test_a_backend_no_longer_configured_signs_out(reader, settings):
    client = signed_in(reader)
    settings.AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
    ours, django = both(client)
    assert ours.is_anonymous and django.is_anonymous


def test_a_row_naming_no_user_falls_back_to_djangos_lookup(reader):
    client = signed_in(reader)
    Session.objects.filter(pk=client.session.session_key).update(user=None)
    ours, django = both(client)
    assert ours == django == reader


def test_deleting_a_user_deletes_their_sessions(reader):
    key = signed_in(reader).session.session_key
    reader.delete()
    assert not Session.objects.filter(pk=key).exists()


def test_sessions_in_djangos_table_are_carried_over_with_their_user():
    from importlib import import_module

    from tests.factories import UserFactory

    user = UserFactory()
    old = DjangoSessionStore()
    old.update({auth.SESSION_KEY: str(user.pk), "other": 1})
    old.create()
    anonymous = DjangoSessionStore()
    anonymous.update({"cart": 1})
    anonymous.create()
    Session.objects.all().delete()
    import_module("accounts.migrations.0003_session").carry_over(apps, None)
    assert Session.objects.get(pk=old.session_key).user_id == user.pk
    assert Session.objects.get(pk=anonymous.session_key).user_id is None
    carried = SessionStore(old.session_key)
    assert carried[auth.SESSION_KEY] == str(user.pk) and carried["other"] == 1
    assert DjangoSession.objects.count() == 2  # left as it was
