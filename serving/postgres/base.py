"""Django's PostgreSQL backend with a health check that costs no round trip.

Django's health check (CONN_HEALTH_CHECKS) runs `SELECT 1` before the first query of
every request on a kept connection, to drop one the server closed since (a restart, an
idle timeout, pg_terminate_backend). Every signed-in page paid that round trip on top of
its session and user queries: a third of its round trips, and under load, where each
round trip waits for the database's process and then its own to be scheduled again, the
largest single share of its time (docs/benchmarks.md, "A signed-in request taken apart").

A connection the server has closed has something to read: its farewell (an error
message) and the end of the stream. An idle connection in good order has nothing, so
a poll of its socket with no timeout tells the two apart without asking the server. Only
when there is something to read, the connection is not idle, or the socket cannot be
polled, Django's `SELECT 1` decides, as before. (A peer that vanished without closing,
which sends nothing, is not seen by either check until the query itself fails; then
Django's `close_if_unusable_or_obsolete` drops the connection after that request.)
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


def quiet(connection) -> bool:
    """True when the connection is open and idle and the server has sent nothing since."""
    try:
        pgconn = connection.pgconn
        if (
            connection.closed
            or pgconn.status != pq.ConnStatus.OK
            or pgconn.transaction_status != pq.TransactionStatus.IDLE
        ):
            return False
        readable, _, _ = select.select([pgconn.socket], [], [], 0)
    except Exception:  # any doubt (a socket already closed...): ask the server
        return False
    return not readable
