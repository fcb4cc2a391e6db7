import pytest


@pytest.fixture
def queued(settings, transactional_db):
    """Tasks go to the database backend, for a real worker to run."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
