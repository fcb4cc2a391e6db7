"""Fixtures shared by all tests."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests import factories
from tests.made_once import copy_migrated_postgres, copy_migrated_sqlite, drop_postgres

# Django's PostgreSQL backend, and ours on top of it (newsroom/settings/database.py).
POSTGRES_ENGINES = ("django.db.backends.postgresql", "serving.postgres")


def _use_fast_password_hasher() -> None:
    """MD5 instead of PBKDF2 in this process and in every server and worker a test starts
    (they copy os.environ), so a password set in one verifies in the others."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    os.environ["FAST_PASSWORD_HASHER"] = "1"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


def _redis_database_per_worker() -> None:
    """Under pytest-xdist each worker gets a Redis database of its own: the tests clear the
    cache (FLUSHDB) between tests, which must not empty another worker's. Worker gwN uses
    the database after REDIS_URL's by N + 1 (CI's redis://.../0: gw0 -> 1, gw1 -> 2)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    from django.conf import settings

    index = int(worker[2:]) + 1
    for name in ("REDIS_URL", "VARNISH_TEST_REDIS_URL"):
        base = os.environ.get(name) or (
            "redis://127.0.0.1:6379/0" if name == "VARNISH_TEST_REDIS_URL" else ""
        )
        if not base:
            continue
        root, _, number = base.rpartition("/")
        url = f"{root}/{(int(number or 0) + index) % 16}"
        os.environ[name] = url
        if name == "REDIS_URL":
            settings.REDIS_URL = url
            settings.CACHES["default"]["LOCATION"] = url


def _cache_directory_per_process() -> None:
    """Without Redis the shared cache is a directory (serving/cache_disk.py): each pytest
    process (each xdist worker) gets its own, as it gets its own Redis database, so one
    worker's per-test clear never empties another's. Servers and task workers a test
    starts inherit it through CACHE_DIR, and share it with the test as in production."""
    from django.conf import settings

    if settings.REDIS_URL:
        return
    path = tempfile.mkdtemp(prefix="newsroom-cache-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    os.environ["CACHE_DIR"] = path
    settings.CACHE_DIR = Path(path)
    settings.CACHES["default"]["LOCATION"] = path


def _postgres_flush_by_delete() -> None:
    """On PostgreSQL a test with real transactions (`transaction=True`, live_server...)
    empties the tables after itself with `flush`, twice with the restore of the saved rows
    below: Django's TRUNCATE of every table took 1-2 s each here (PostgreSQL swaps
    each table's, index's and TOAST's files and scans its shared buffers for each), a
    DELETE FROM each table 0.04 s for the few rows a test leaves. So this process's flush
    deletes, in one transaction (the foreign keys Django makes are checked at its end).
    TRUNCATE stays where DELETE would not do the same: CASCADE to tables outside the
    list, and sequences reset (neither asked by these tests). SQLite's flush deletes
    already."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] not in POSTGRES_ENGINES:
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        delete = f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')}"
        return [f"{delete} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    DatabaseOperations.sql_flush = sql_flush


_use_fast_password_hasher()
_redis_database_per_worker()
_cache_directory_per_process()
_postgres_flush_by_delete()

# A test using one of these starts or talks to a server or a worker, or has real
# transactions: the module-scoped stacks of gunicorn, Varnish, moto's S3 and the two
# gunicorn workers sharing a cache (tests/serving/) are servers as live_server is.
SERVER_FIXTURES = {
    "live_server",
    "transactional_db",
    "django_db_serialized_rollback",
    "varnish_stack",
    "production_server",
    "two_workers",
    "s3_media",
}


def pytest_xdist_auto_num_workers(config):
    """`-n auto` (pyproject's addopts): one worker more than the machine has cores. A
    fresh clone's `make test` on 2 workers kept only 1.17 of 2 cores busy (`time`: 9.2
    CPU-minutes in 7 min 50 s): a third of the tests wait on a server, a browser or a
    task worker they started, and a third worker runs while they wait. Overridden by an
    explicit `-n N`."""
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(items):
    """Mark what `make test-fast` leaves out, so no test has to remember to: everything
    under tests/browser/ is `browser`; a test with a live server or real transactions (what
    a subprocess server or worker needs to see the test's rows) is `server`."""
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
        db = item.get_closest_marker("django_db")
        transactional = db is not None and db.kwargs.get("transaction", False)
        if transactional or SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.server)
    _slow_files_first(items)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a test with real transactions, the database holds the saved rows again.

    Django leaves it empty after a test that restores the saved rows at its start
    (`serialized_rollback`), and after one that does not, with post_migrate's content
    types and Site under new ids: the next plain test found no Site, or the next restoring
    test collided with those content types, depending on which file a worker took first
    (`tests/browser` alone: 48 errors). Never after the session's last test: its teardown
    has destroyed the test databases by then; nor between two restoring tests of one file
    (the browser tests): the next one's set-up restores them anyway (the second restore
    cost 0.05 CPU-seconds a test on SQLite)."""
    yield
    db = item.get_closest_marker("django_db")
    if nextitem is None or db is None or not db.kwargs.get("transaction", False):
        return
    if _restores_at_setup(item) and _restores_at_setup(nextitem) and nextitem.path == item.path:
        return
    from django.core.management import call_command
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for conn in connections.all(initialized_only=True):
            saved = getattr(conn, "_test_serialized_contents", None)
            if saved is None:
                continue
            if not db.kwargs.get("serialized_rollback", False):  # else Django emptied it
                call_command(
                    "flush",
                    verbosity=0,
                    interactive=False,
                    database=conn.alias,
                    inhibit_post_migrate=True,
                    # As Django's own teardown: sequences stay ahead of the restored ids.
                    reset_sequences=False,
                )
            conn.creation.deserialize_db_from_string(saved)


def _restores_at_setup(item) -> bool:
    """The test's set-up restores the saved rows (`serialized_rollback`) into the emptied
    database, as Django's teardown of such a test leaves it."""
    db = item.get_closest_marker("django_db")
    return db is not None and db.kwargs.get("serialized_rollback", False)


# Files of many seconds of CPU each that start no server (the slowest 20 of a run show
# them): run first with the others that do.
HEAVY_FILES = {
    "test_hostile_parameters.py",
    "test_hostile_parameters_admin.py",
    "test_freshness_property.py",
    "test_freshness_property_moved.py",
    "test_freshness_property_comments.py",
    "test_freshness_property_stories.py",
    "test_schemathesis.py",
    "test_schemathesis_allauth.py",
    "test_seed_demo.py",
}


def _slow_files_first(items) -> None:
    """xdist hands whole files to its workers (--dist loadfile) in collection order
    (`--no-loadscope-reorder` in pyproject's addopts: by default xdist orders files by
    their number of tests, which sent the heavy files of one to four long tests last,
    each to one worker, after the others had run out of work). The heavy files first,
    then the files that start servers or a browser, keeping each file's own order."""
    slow = {
        item.path
        for item in items
        if item.get_closest_marker("server") or item.get_closest_marker("browser")
    }
    items.sort(
        key=lambda item: 0 if item.path.name in HEAVY_FILES else 1 if item.path in slow else 2
    )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file, not memory, so that a task worker started
    as a subprocess (tests/jobs/) reads and writes the same database as the test."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(settings.VAR_DIR) / f"test-{os.getpid()}.sqlite3"
        db.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings):
    """Each worker's test database starts as a copy of one migrated once for these
    migrations (tests/made_once.py): on SQLite a file copy (the servers' databases are
    copies of it too), on PostgreSQL `CREATE DATABASE ... TEMPLATE`. Django is told to
    keep it: its migrate then has nothing to apply, and post_migrate's receivers still run
    in this process (the Site row takes this run's SITE_URL). Each worker saves running
    every migration (on SQLite 3-4 CPU-seconds; on PostgreSQL 5.6 CPU-seconds in Python
    and the server's work, which three workers did at once). The copy is deleted at the
    end (on SQLite with the WAL files Django's own teardown left behind), unless
    `--reuse-db` asked to keep the database."""
    from django.conf import settings
    from django.db import connections

    reuse = request.config.getvalue("reuse_db")
    db = settings.DATABASES["default"]
    if reuse:
        yield reuse
        return
    if db["ENGINE"] in POSTGRES_ENGINES:
        name = db["TEST"]["NAME"]
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        base = name.removesuffix(f"_{worker}") if worker else name
        copy_migrated_postgres(name, template_prefix=f"{base}_template")
        yield True
        connections.close_all()
        drop_postgres(name)
        return
    path = Path(db["TEST"]["NAME"])
    copy_migrated_sqlite(path)
    yield True
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # Tasks run inside the call that enqueues them, unless a test asks for the database
    # backend and a real worker (tests/jobs/worker.py).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _isolated_media(settings):
    # Each test writes uploads and renditions into its own folder.
    path = tempfile.mkdtemp(prefix="newsroom-media-")
    settings.MEDIA_ROOT = path
    yield
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def _plain_static(settings):
    # The manifest storage needs collectstatic; tests use the plain storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _one_clock(settings):
    # Every write in a test comes from this process, milliseconds before the page it
    # changes is read: no margin for other app servers' clocks, or every such page would
    # count as rendered during a change and be kept one second only (serving/page_store.py).
    settings.PAGE_CACHE_CLOCK_MARGIN = 0


def clear_caches() -> None:
    """What each test starts from: the shared cache empty, and every per-process copy of
    what it holds forgotten with it."""
    from django.core.cache import cache, caches

    from api.throttle import counts
    from serving.page_store import local_pages

    cache.clear()
    caches["fragments"].clear()  # this process's copies of version-keyed fragments
    # The page cache's per-process copy (serving/page_store.py) goes with the shared cache.
    local_pages.clear()
    # So do this process's copies of the API's request counts (api/throttle.py): kept,
    # they outlived the cleared shared counts and a test after a busy API test in the
    # same minute was answered 429 (tests/browser/test_api_docs.py, seen in a clone).
    counts.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    clear_caches()
    yield


@pytest.fixture
def editor(db):
    return factories.EditorFactory()


@pytest.fixture
def moderator(db):
    return factories.ModeratorFactory()


@pytest.fixture
def reader(db):
    return factories.UserFactory()


@pytest.fixture
def confirmed_reader(db):
    """A reader with a confirmed email address (password "a-Long-passw0rd!")."""
    return factories.ConfirmedReaderFactory()


@pytest.fixture
def demo_renditions_at_one_width(settings):
    """For tests that run seed_demo for its articles, stories or admin pages, not for its
    pictures: its 36 library pictures of 1600 px, each resized to the three configured
    widths and encoded as AVIF, WebP and JPEG, cost about 10 CPU-seconds per seeding; at
    the smallest width alone, a fraction of that. Renditions at every width are tested in
    tests/articles/ and tests/jobs/."""
    settings.IMAGE_RENDITION_WIDTHS = settings.IMAGE_RENDITION_WIDTHS[:1]


@pytest.fixture
def feed_server(settings):
    """A real HTTP server on 127.0.0.1 for feed ingestion tests (tests/ingest/)."""
    from tests.ingest.feed_server import FeedServer

    # The test server is on loopback, which production refuses.
    settings.FEED_ALLOW_PRIVATE_HOSTS = True
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def queued(settings, transactional_db):
    """Tasks go to the database backend, for a real worker to run (tests/jobs/worker.py)."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def renders():
    """`renders(client, url, template_name)`: (the page's text, how many times that
    template was rendered to make it). Shows what came from a cache and what was made."""
    from django.test.signals import template_rendered

    def get(client, url, name):
        names = []

        def seen(sender, template, **kwargs):
            names.append(template.name)

        template_rendered.connect(seen)
        try:
            page = client.get(url).content.decode()
        finally:
            template_rendered.disconnect(seen)
        return page, names.count(name)

    return get
