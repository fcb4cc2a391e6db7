"""PostgreSQL settings read from the environment: prepared statements on by default."""

import json
import os
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests import forkserver

ROOT = Path(__file__).resolve().parents[2]


def options(**env) -> dict:
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    result = forkserver.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgres_binds_parameters_on_the_server_unless_told_not_to():
    url = "postgres://news@db.example.org:5432/newsroom"
    assert options(DATABASE_URL=url)["server_side_binding"] is True
    assert options(DATABASE_URL=url)["prepare_threshold"] == 5
    assert "server_side_binding" not in options(DATABASE_URL=url, DB_PREPARED_STATEMENTS="0")
    assert "server_side_binding" not in options(DATABASE_URL="sqlite:////tmp/x.sqlite3")


@pytest.mark.django_db
def test_a_repeated_query_is_prepared_on_postgres():
    from accounts.models import User

    for _ in range(6):
        list(User.objects.filter(username="nobody"))
    if connection.vendor == "postgresql":  # the suite runs on both: here the real thing
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] >= 1
    else:
        assert not connection.settings_dict["OPTIONS"].get("server_side_binding")
