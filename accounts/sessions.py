"""Sessions in the database that load their signed-in user in the same query.

Django's database sessions keep the user's id inside the encoded session data, so a
signed-in request made two queries one after the other, the session and then the user
(`django.contrib.auth.get_user`): two round trips and two ORM queries built, about 1.2 ms
of the 2.9 ms of CPU of the cheapest signed-in page (docs/benchmarks.md, "A signed-in
request taken apart"). Here the row names its user (`accounts.models.Session.user`), the
session is read with its user joined, and `AuthenticationMiddleware` takes the user from
there after the checks Django's `get_user` makes. The database stays the only truth: a
logout deletes the row, a changed password changes the session hash checked here, an
inactive user is refused as Django's backend refuses them.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject


class SessionStore(DatabaseSessionStore):
    # The user the row named when it was read (None: none, or not read yet).
    loaded_user = None

    @classmethod
    def get_model_class(cls):
        # By name: accounts.models.Session names this store (no import cycle).
        return apps.get_model("accounts", "Session")

    def _get_session_from_db(self):
        try:
            row = self.model.objects.select_related("user").get(
                session_key=self.session_key, expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):  # as Django's store
                logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            self._session_key = None
            return None
        self.loaded_user = row.user
        return row

    def create_model_instance(self, data):
        row = super().create_model_instance(data)
        row.user_id = user_pk(data.get(SESSION_KEY))
        return row


def user_pk(value):
    if value is None:
        return None
    try:
        return auth.get_user_model()._meta.pk.to_python(value)
    except ValidationError:
        return None


def get_user(request):
    """`django.contrib.auth.get_user` with the user the session's row brought along:
    the same checks (the backend is still configured and accepts the user, the session
    hash matches the current or a fallback secret), without the user's own query. Any
    other case (no user in the row, another id, a backend that is not Django's model
    backend) goes to Django's `get_user`."""
    session = request.session
    try:
        user_id = user_pk(session[SESSION_KEY])  # reads the row, and its user, once
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return auth.get_user(request)
    user = getattr(session, "loaded_user", None)
    if (
        user is None
        or user_id is None
        or user.pk != user_id
        or backend_path not in settings.AUTHENTICATION_BACKENDS
    ):
        return auth.get_user(request)
    backend = auth.load_backend(backend_path)
    if type(backend).get_user is not ModelBackend.get_user:
        return auth.get_user(request)  # a backend that finds its users its own way
    if not backend.user_can_authenticate(user):
        return AnonymousUser()
    session_hash = session.get(HASH_SESSION_KEY)
    current = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = current
        return user
    session.flush()
    return AnonymousUser()


class AuthenticationMiddleware(DjangoAuthMiddleware):
    """Django's, with `request.user` from `get_user` above (`request.auser` unchanged)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))
