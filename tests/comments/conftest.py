"""Fixtures for the comments tests."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import (
    ArticleFactory,
    CommentFactory,
    ConfirmedReaderFactory,
    ensure_staff_groups,
)


@pytest.fixture
def article(db):
    return ArticleFactory(title="Ferry timetable changes for winter")


@pytest.fixture
def confirmed(db):
    return ConfirmedReaderFactory(display_name="Ada Quill")


@pytest.fixture
def regular(db):
    """A confirmed reader with two approved comments: past the new-reader rule."""
    user = ConfirmedReaderFactory(display_name="Bram Oak")
    CommentFactory.create_batch(2, author=user, status="approved")
    return user


@pytest.fixture
def trusted(db):
    user = ConfirmedReaderFactory(display_name="Cleo Trust")
    ensure_staff_groups()  # a transactional test may have flushed them
    user.groups.add(Group.objects.get(name="Trusted readers"))
    return user


@pytest.fixture
def no_premoderation(settings):
    settings.COMMENTS_PREMODERATE = False
