"""The hostile-parameter sweep over the admin's addresses, in a file of its own so that
another xdist worker takes it (test_hostile_parameters.py says what is sent)."""

import pytest

from .test_hostile_parameters import sweep, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_no_admin_parameter_or_field_gives_a_500(world):  # noqa: F811
    sweep(world, admin=True)
