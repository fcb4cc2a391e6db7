"""The database: SQLite under var/ by default, PostgreSQL in production (DATABASE_URL)."""

import sys
from pathlib import Path

import dj_database_url

from .core import INSTALLED_APPS as _APPS
from .core import VAR_DIR
from .env import env_bool, env_float, env_int, env_str

# Database: SQLite file under var/ by default; DATABASE_URL points elsewhere (PostgreSQL in
# production). Persistent connections save a connect per request that reads the database:
# on PostgreSQL a round trip and authentication; on SQLite opening the file and Django's
# set-up of each new connection (its functions, the pragmas below), 0.5 ms when idle and
# several under load, where every render after a write paid it.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'newsroom.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
_postgres = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if _postgres:
    # Fail fast (a 503) rather than hang when PostgreSQL is unreachable.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DB_CONNECT_TIMEOUT", 3
    )
    # Parameters bound on the server, so psycopg prepares a query once one connection
    # has run it five times: the session and user lookups and the reader's facts on every
    # signed-in page were planned anew each time (0.3 ms of planning for the facts query
    # alone). Off (DB_PREPARED_STATEMENTS=0) behind a pooler in transaction mode that
    # cannot keep prepared statements (PgBouncer before 1.21).
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "test_newsroom")}
    # Django's backend whose health check (conn_health_checks above) polls the kept
    # connection's socket instead of a `SELECT 1` round trip on every request that
    # queries: serving/postgres/base.py says how it still finds a closed connection.
    DATABASES["default"]["ENGINE"] = "serving.postgres"
    # Search's ranking and headlines, its lookups and type handlers. Only here: its app
    # imports psycopg (0.15-0.2 CPU-seconds), which a process on SQLite never uses, and
    # every process pays at start (each task worker and server the tests start).
    INSTALLED_APPS = [*_APPS, "django.contrib.postgres"]
else:
    # Web, task workers and the scheduler share the file: a writer takes the lock when its
    # transaction begins (no "database is locked" on a read lock's upgrade) and others
    # wait for it rather than fail. WAL lets readers go on while one process writes, and
    # with synchronous=NORMAL a commit no longer waits for the disk (an fsync took 35-50 ms
    # here; a power cut may lose the last commits, never the file). A kept connection
    # (CONN_MAX_AGE) holds no lock or snapshot between requests (autocommit), so it holds
    # back neither writers nor checkpoints.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

# Database timeouts (seconds): a query waiting on a lock, or running, longer than this is
# cancelled, and a web request gets the site's 503 with Retry-After (serving/middleware.py)
# instead of hanging until gunicorn kills its worker (gunicorn's timeout, 30 s, stays above
# both). Web requests get the short pair; the task worker, the scheduler and every other
# management command (migrations...) the long one: a process started as `manage.py` with
# any command but runserver (DB_WORKER_TIMEOUTS overrides; it is not passed on to the
# processes a command starts, as an environment variable set by manage.py would be).
# 0 turns a timeout off. On SQLite the lock timeout is the
# busy timeout (every writer waits for the one file lock: 20 s unless set); SQLite has no
# statement timeout.
_manage_command = Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] != ["runserver"]
DB_WORKER_TIMEOUTS = env_bool("DB_WORKER_TIMEOUTS", _manage_command)
if DB_WORKER_TIMEOUTS:
    DB_LOCK_TIMEOUT = env_float("DB_WORKER_LOCK_TIMEOUT", 30.0)
    DB_STATEMENT_TIMEOUT = env_float("DB_WORKER_STATEMENT_TIMEOUT", 300.0)
else:
    DB_LOCK_TIMEOUT = env_float("DB_LOCK_TIMEOUT", 5.0 if _postgres else 20.0)
    DB_STATEMENT_TIMEOUT = env_float("DB_STATEMENT_TIMEOUT", 15.0)
if _postgres:
    # Sent when each connection opens (libpq's `options`): no extra round trip.
    _timeouts = " ".join(
        f"-c {name}={int(seconds * 1000)}"
        for name, seconds in (
            ("lock_timeout", DB_LOCK_TIMEOUT),
            ("statement_timeout", DB_STATEMENT_TIMEOUT),
        )
        if seconds
    )
    if _timeouts:
        _options = DATABASES["default"]["OPTIONS"]
        _options["options"] = f"{_options.get('options', '')} {_timeouts}".strip()
elif DB_LOCK_TIMEOUT:
    DATABASES["default"]["OPTIONS"]["timeout"] = DB_LOCK_TIMEOUT
