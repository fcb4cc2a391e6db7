"""The database: SQLite under var/ by default, PostgreSQL in production (DATABASE_URL)."""

import dj_database_url

from .core import VAR_DIR
from .env import env_bool, env_int, env_str

# Database: SQLite file under var/ by default; DATABASE_URL points elsewhere (PostgreSQL in
# production). Persistent connections on PostgreSQL save a connect per request.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'newsroom.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
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
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Web, task workers and the scheduler share the file: a writer takes the lock when its
    # transaction begins (no "database is locked" on a read lock's upgrade) and others
    # wait for it rather than fail. WAL lets readers go on while one process writes, and
    # with synchronous=NORMAL a commit no longer waits for the disk (an fsync took 35-50 ms
    # here; a power cut may lose the last commits, never the file).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
