"""The freshness property's "comments-and-names" write sequence, in a file of its own so that
another xdist worker takes it (test_freshness_property.py says what is checked)."""

import pytest

from .test_freshness_property import check_sequence, site  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_every_page_is_fresh_after_every_write(site, client):  # noqa: F811
    check_sequence("comments-and-names", site, client)
