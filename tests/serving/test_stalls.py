"""A stall answers: a query blocked by a lock (or running too long) is cancelled by the
database's own timeout, the reader gets the site's 503 with Retry-After and their text
back, the gunicorn worker lives on, and the post made once the lock is gone is stored.

The suite runs on SQLite and on PostgreSQL; each gets its own real lock: PostgreSQL
`LOCK TABLE comments_comment IN ACCESS EXCLUSIVE MODE` (lock_timeout), SQLite a write
transaction held by another connection (the busy timeout).
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import secrets
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from comments.models import Comment
from tests import forkserver
from tests.factories import ArticleFactory, ConfirmedReaderFactory
from tests.jobs.worker import ROOT, start_app_server, subprocess_env
from tests.made_once import collected_static
from tests.processes import stop

LOCK_TIMEOUT = 1
STATEMENT_TIMEOUT = 5


@contextlib.contextmanager
def comments_locked():
    """Hold the lock a long migration or a stuck transaction would hold on the comments
    table, from a connection of its own, until the block ends."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        import psycopg

        other = psycopg.connect(
            host=s["HOST"] or "127.0.0.1",
            port=s["PORT"] or 5432,
            user=s["USER"],
            password=s["PASSWORD"] or None,
            dbname=s["NAME"],
        )
        other.execute("LOCK TABLE comments_comment IN ACCESS EXCLUSIVE MODE")
    else:
        other = sqlite3.connect(s["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the file's one write lock
    try:
        yield
    finally:
        other.rollback()
        other.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(url: str, fields: dict, cookies: dict) -> tuple[int, dict, str]:
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
    )
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def stalled_server(transactional_db, client, settings):
    """gunicorn (gunicorn.conf.py, DEBUG off) on the test database with short timeouts,
    and a signed-in reader's cookies."""
    env = subprocess_env(
        DEBUG="0",
        HTTPS="0",
        SECRET_KEY=settings.SECRET_KEY,  # the session's user hash is signed with it
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(collected_static()),
        DB_LOCK_TIMEOUT=str(LOCK_TIMEOUT),
        DB_STATEMENT_TIMEOUT=str(STATEMENT_TIMEOUT),
    )
    env.pop("DB_WORKER_TIMEOUTS", None)
    reader = ConfirmedReaderFactory()
    client.force_login(reader)
    csrf = secrets.token_hex(16)  # a 32-character secret: cookie and form field alike
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
    proc, base = start_app_server(env)
    try:
        yield base, cookies, csrf
    finally:
        stop(proc, timeout=20)


def test_a_locked_comments_table_answers_503_keeps_the_text_then_the_post_succeeds(
    stalled_server,
):
    base, cookies, csrf = stalled_server
    article = ArticleFactory(title="Ferry strike called off", slug="ferry-strike")
    url = f"{base}/comments/post/{article.slug}/"
    text = "The 7:40 <ferry> runs again & on time"
    fields = {"body": text, "parent": "", "csrfmiddlewaretoken": csrf}

    with comments_locked():
        started = time.monotonic()
        status, headers, page = _post(url, fields, cookies)
        waited = time.monotonic() - started
    assert status == 503, (headers.get("Location"), page[:500])
    assert waited < STATEMENT_TIMEOUT, waited  # the lock timeout answered, not a hang
    assert headers["Retry-After"] == "5"
    assert "no-store" in headers["Cache-Control"]
    assert "briefly unavailable" in page  # the site's own page, not gunicorn's or Varnish's
    # The reader's words come back, escaped, in a form that sends them again.
    assert f">{html.escape(text)}</textarea>" in page
    assert f'action="/comments/post/{article.slug}/"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert not Comment.objects.exists()

    # The same worker answers the post sent again, now the lock is gone (it was never
    # killed: with one worker a killed one would have taken the 503 down with it).
    status, headers, page = _post(url, fields, cookies)
    assert status == 302, page[:500]
    assert Comment.objects.get().body == text


def test_gunicorn_waits_longer_than_the_database_timeouts():
    """gunicorn's timeout (which kills a worker) sits above the web request's statement
    timeout and SQLite's busy timeout, so the database answers first."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": "/unused"}
    code = "import runpy; c = runpy.run_path('gunicorn.conf.py');print(c['timeout'])"
    gunicorn_timeout = float(
        forkserver.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    postgres = _settings(DATABASE_URL="postgres://news@db.example.org:5432/newsroom")
    sqlite = _settings(DATABASE_URL="sqlite:////tmp/x.sqlite3")
    assert gunicorn_timeout > postgres["statement"] > postgres["lock"]
    assert gunicorn_timeout > sqlite["options"]["timeout"]


def _settings(*, managed: bool = False, **env: str) -> dict:
    """The timeouts a fresh process gets from the settings (`managed`: run through
    manage.py, as the worker and the scheduler are). The settings alone are read, without
    loading the apps (they are the settings module's values; a Django start would add
    1.5 CPU-seconds a call)."""
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps({'lock': settings.DB_LOCK_TIMEOUT, "
        "'statement': settings.DB_STATEMENT_TIMEOUT, "
        "'options': settings.DATABASES['default']['OPTIONS']}, default=str))"
    )
    command = (
        [sys.executable, "manage.py", "shell", "-c", script]
        if managed
        else [sys.executable, "-c", script]
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DB_")}
    result = forkserver.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**clean, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_web_requests_get_short_timeouts_commands_long_ones():
    url = "postgres://news@db.example.org:5432/newsroom"
    web = _settings(DATABASE_URL=url)
    assert (web["lock"], web["statement"]) == (5, 15)
    assert "-c lock_timeout=5000 -c statement_timeout=15000" in web["options"]["options"]
    # manage.py: the task worker, the scheduler, migrations...
    command = _settings(managed=True, DATABASE_URL=url)
    assert (command["lock"], command["statement"]) == (30, 300)
    assert "-c lock_timeout=30000 -c statement_timeout=300000" in command["options"]["options"]
    assert _settings(DATABASE_URL=url, DB_STATEMENT_TIMEOUT="0")["options"]["options"] == (
        "-c lock_timeout=5000"
    )
    assert _settings(DATABASE_URL="sqlite:////tmp/x.sqlite3")["options"]["timeout"] == 20


@pytest.mark.django_db
def test_this_connection_has_the_web_timeouts():
    if connection.vendor == "postgresql":  # the suite runs on both: here the real thing
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "5s"
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "15s"
    else:
        assert connection.settings_dict["OPTIONS"]["timeout"] == 20
