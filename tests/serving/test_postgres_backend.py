"""serving.postgres: the kept connection's health check polls its socket instead of a
`SELECT 1` round trip, and still replaces a connection the server closed."""

import time

import psycopg
import pytest
from django.db import connection, transaction

from serving.postgres.base import quiet
from tests.made_once import _postgres_server


def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's backend (serving.postgres); SQLite keeps Django's")


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def next_request() -> None:
    """What Django does for a kept connection when a request starts (request_started):
    the next query runs the health check again."""
    connection.close_if_unusable_or_obsolete()
    assert connection.connection is not None and not connection.health_check_done


class Asked:
    """Counts Django's `SELECT 1` checks (`is_usable`), which still run."""

    def __init__(self, monkeypatch):
        self.count = 0
        original = connection.is_usable

        def counted():
            self.count += 1
            return original()

        monkeypatch.setattr(connection, "is_usable", counted)


def test_the_backend_is_ours_on_postgres():
    needs_postgres()
    assert connection.settings_dict["ENGINE"] == "serving.postgres"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_in_good_order_is_checked_without_a_round_trip(monkeypatch):
    needs_postgres()
    pid = backend_pid()
    asked = Asked(monkeypatch)
    next_request()
    assert backend_pid() == pid
    assert asked.count == 0
    with transaction.atomic():  # not idle: never taken for quiet
        backend_pid()
        assert not quiet(connection.connection)


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_closed_is_replaced_before_the_next_query():
    needs_postgres()
    pid = backend_pid()
    with _postgres_server() as server:
        assert server.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        for _ in range(200):
            if not server.execute(
                "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]
            ).fetchone():
                break
            time.sleep(0.01)
    assert not quiet(connection.connection)
    next_request()
    assert backend_pid() != pid  # a new connection, no error for the reader


@pytest.mark.django_db(transaction=True)
def test_a_connection_with_something_to_read_is_asked_and_kept(monkeypatch):
    """A message the server sent unasked (here a NOTIFY) is not a closed connection:
    Django's `SELECT 1` decides, and the connection stays."""
    needs_postgres()
    with connection.cursor() as cursor:
        cursor.execute("LISTEN newsroom_health_check_test")
    pid = backend_pid()
    params = connection.get_connection_params()  # the same database: NOTIFY is per database
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("NOTIFY newsroom_health_check_test")
    for _ in range(200):
        if not quiet(connection.connection):
            break
        time.sleep(0.01)
    assert not quiet(connection.connection)
    asked = Asked(monkeypatch)
    next_request()
    assert backend_pid() == pid
    assert asked.count == 1
