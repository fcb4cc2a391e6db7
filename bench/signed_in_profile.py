"""What every signed-in request pays before its view, Django's way against ours, paired
(docs/benchmarks.md, "A signed-in request taken apart"): the session and user load
(Django's database sessions and `get_user`: two queries; `accounts.sessions`: one) and
the kept connection's health check (Django's `SELECT 1`; `serving.postgres`' socket poll),
alternating every 50 calls in one process so that both see the same machine: on a
shared machine whole runs one after the other differ by more than the change.

Run against a database seeded by bench/prepare.py, with the environment `make bench`
gives gunicorn (DEBUG=0, DATABASE_URL on PostgreSQL, REDIS_URL):

    python bench/signed_in_profile.py

CPU time of this thread (`time.thread_time`). Not a test and not part of `make bench`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.prepare import _follower  # noqa: E402  (sets Django up)

# isort: split
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.auth.middleware import AuthenticationMiddleware  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore as DjangoStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from accounts import sessions  # noqa: E402
from serving.postgres.base import quiet  # noqa: E402

BATCH, ROUNDS = 50, 40


def main() -> None:
    _follower()
    user = get_user_model().objects.get(username="bench-follower")
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }
    ways = {}
    for name, store, middleware in (
        ("Django", DjangoStore, AuthenticationMiddleware),
        ("ours", sessions.SessionStore, sessions.AuthenticationMiddleware),
    ):
        session = store()
        session.update(data)
        session.create()
        ways[name] = (store, session.session_key, middleware(lambda request: None))
    factory = RequestFactory()

    def load(name: str) -> None:
        store, key, middleware = ways[name]
        request = factory.get("/about/")
        request.session = store(key)
        middleware.process_request(request)
        assert request.user.pk == user.pk

    def check(name: str) -> None:
        connection.is_usable() if name == "Django" else quiet(connection.connection)

    connection.ensure_connection()
    spent = {(part, name): 0.0 for part in (load, check) for name in ways}
    for part, name in spent:
        part(name)  # warm
    for _ in range(ROUNDS):
        for part, name in spent:
            started = time.thread_time()
            for _ in range(BATCH):
                part(name)
            spent[part, name] += time.thread_time() - started
    labels = {load: "session + user", check: "health check"}
    for (part, name), seconds in spent.items():
        print(f"{labels[part]:15} {name:7} {seconds / (BATCH * ROUNDS) * 1e6:7.0f} µs CPU per call")


if __name__ == "__main__":
    main()
