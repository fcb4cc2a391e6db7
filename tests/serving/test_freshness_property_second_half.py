"""The freshness property's other write sequences (test_freshness_property.py says what
is checked): in a file of their own so that a second xdist worker takes them."""

import pytest

from .test_freshness_property import SECOND_HALF, check_sequence, site  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sequence", SECOND_HALF)
def test_every_page_is_fresh_after_every_write(sequence, site, client):  # noqa: F811
    check_sequence(sequence, site, client)
