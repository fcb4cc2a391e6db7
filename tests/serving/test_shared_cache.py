"""The default set-up's cache is one for every process on the machine (issue 34).

Two real gunicorn workers on SQLite with no Redis, and a third process that writes (as the
admin or the task worker would): a page rendered by one worker is a hit in the other, a
change made elsewhere shows in both at once, and the API's limit counts both workers'
requests. Which worker answered comes from gunicorn's access log (the worker's pid).
"""

import sys
from pathlib import Path

import pytest

from tests import forkserver
from tests.serving.test_gunicorn import ROOT, Server, _env, _migrate

PATH = "/articles/shared-between-workers/"
HTTPS = {"X-Forwarded-Proto": "https"}


class TwoWorkers(Server):
    """gunicorn with two sync workers; `served()` lists (pid, status, cache state, path)."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        super().__init__(
            {
                **env,
                "WEB_CONCURRENCY": "2",
                "GUNICORN_ACCESSLOG": str(log),
                "GUNICORN_CMD_ARGS": '--access-logformat "%(p)s %(s)s %({x-page-cache}o)s %(U)s"',
            }
        )

    def served(self) -> list[tuple[str, str, str, str]]:
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return [tuple(line.split(" ", 3)) for line in lines]

    def until_both_workers(self, path: str, check, state: str = "") -> list[tuple]:
        """GET `path` (a new connection each time: the OS hands it to an idle worker)
        until each of the two workers has answered once since now (with X-Page-Cache
        `state`, if given); `check(status, body)` on every response. Returns the access
        log lines of those requests."""
        start = len(self.served())
        for _ in range(200):
            status, _, body = self.get(path, HTTPS)
            check(status, body)
            mine = [line for line in self.served()[start:] if line[3] == path]
            if len({pid for pid, _, got, _ in mine if got == state or not state}) == 2:
                return mine
        raise AssertionError(f"one worker answered every request: {mine}")


def _python(env: dict, code: str) -> None:
    forkserver.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        check=True,
    )


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shared")
    # Not the test run's CACHE_DIR: this server's cache is its own, under its VAR_DIR.
    env = {k: v for k, v in _env(tmp).items() if k != "CACHE_DIR"}
    env["API_RATE_ANON"] = "4/600"
    # The timed check of the change counter far off: a worker can only learn of another
    # process's write from the change stamp the disk cache maps into every process, so
    # "the first answer after the write" is exact, with no timing in the test.
    env["PAGE_CACHE_LOCAL_SECONDS"] = "600"
    _migrate(env)
    _python(
        env,
        "from tests.factories import ArticleFactory\n"
        "ArticleFactory(title='Before the edit', slug='shared-between-workers')\n",
    )
    server = TwoWorkers(env, tmp / "access.log")
    server.env = env
    yield server
    server.stop()


def test_cache_lives_under_var(two_workers):
    assert (Path(two_workers.env["VAR_DIR"]) / "cache").is_dir()


def test_a_page_rendered_by_one_worker_is_a_hit_in_the_other(two_workers):
    def ok(status, body):
        assert status == 200 and b"Before the edit" in body

    served = two_workers.until_both_workers(PATH, ok, state="hit")
    # Rendered once, by whichever worker came first; every other answer, from either
    # worker, came from the shared cache (local memory per worker would miss twice).
    assert [state for _, _, state, _ in served].count("miss") == 1


def test_a_change_made_by_another_process_shows_in_every_worker_at_once(two_workers):
    two_workers.until_both_workers(PATH, lambda status, body: None)  # both hold the page
    _python(
        two_workers.env,
        "from articles.models import Article\n"
        "article = Article.objects.get(slug='shared-between-workers')\n"
        "article.title = 'After the edit'\n"
        "article.save()\n",
    )

    def fresh(status, body):
        assert status == 200
        assert b"After the edit" in body and b"Before the edit" not in body

    # The first answer of each worker after the write is already the new page.
    two_workers.until_both_workers(PATH, fresh)


def test_the_api_limit_counts_the_requests_of_both_workers(two_workers):
    # 4 requests per address and window. api/throttle.py adds a process's count to the
    # shared one from half the budget on, so each worker may let 2 through unshared: at
    # most 4 + 2 answers of 200 in all. A counter per worker would let 4 + 4 through.
    path = "/api/v1/articles"
    start = len(two_workers.served())
    for _ in range(200):
        two_workers.get(path)
        mine = [line for line in two_workers.served()[start:] if line[3] == path]
        if len({pid for pid, status, _, _ in mine if status == "429"}) == 2:
            break
    statuses = [status for _, status, _, _ in mine]
    assert {pid for pid, status, _, _ in mine if status == "429"} == {m[0] for m in mine}
    assert 4 <= statuses.count("200") <= 6, statuses
