"""Schemathesis against allauth's headless API (`/_allauth/openapi.json`), in a file of
its own so that another xdist worker takes it (test_schemathesis.py says how it runs)."""

from __future__ import annotations

import pytest
import schemathesis

from .test_schemathesis import BOUNDED, _load, reader, reader_token, token_for  # noqa: F401


@pytest.fixture
def allauth_schema(live_server, reader_token):  # noqa: F811
    return _load(f"{live_server.url}/_allauth/openapi.json")


allauths = schemathesis.pytest.from_fixture("allauth_schema")


@allauths.parametrize()
@BOUNDED
def test_allauth_headless_conforms_to_its_schema(case, token_for):  # noqa: F811
    case.call_and_validate(headers={"X-Session-Token": token_for(case)})
