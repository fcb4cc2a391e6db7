"""What operators rely on (the shared contract of issue 27, /work docs/deployment.md): a
stalled table answers with a 503 in time and loses nothing; /readyz follows Redis down and
up; /metrics counts the mails and the purges."""

from __future__ import annotations

import re
import threading
import time

import psycopg
import requests

from tests.e2e.http import Visitor, anonymous_get

ARTICLE = "/articles/ferry-timetable/"
POST = "/comments/post/ferry-timetable/"
STATEMENT_TIMEOUT = 15  # DB_STATEMENT_TIMEOUT's default (the contract)
LOCK_SECONDS = 20


def _hold_lock(dsn: str, locked: threading.Event, seconds: float) -> None:
    with psycopg.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute("LOCK TABLE comments_comment IN ACCESS EXCLUSIVE MODE")
        locked.set()
        time.sleep(seconds)
        conn.rollback()


def test_a_locked_table_answers_503_in_time_and_the_next_comment_is_stored(stack):
    ada = Visitor(stack.url)
    ada.log_in("ada@example.org")
    # The article is open in the reader's browser before the stall begins (while the table
    # is locked the article page itself cannot be read: it shows the thread).
    token = ada.open_form(ARTICLE)
    locked = threading.Event()
    holder = threading.Thread(
        target=_hold_lock, args=(stack.env["DATABASE_URL"], locked, LOCK_SECONDS)
    )
    holder.start()
    try:
        assert locked.wait(10)
        typed = "Posted while a migration held the comments table."
        started = time.monotonic()
        response = ada.submit(ARTICLE, POST, token, {"body": typed})
        elapsed = time.monotonic() - started
        assert response.status_code == 503, (response.status_code, response.text[:300])
        assert elapsed < STATEMENT_TIMEOUT, f"the 503 took {elapsed:.1f} s"
        assert int(response.headers["Retry-After"]) > 0
        assert typed in response.text  # what the reader typed is still in the form
        assert anonymous_get(stack.url, "/healthz").status_code == 200
    finally:
        holder.join()
    response = ada.post_form(ARTICLE, POST, {"body": "And once it was released."})
    assert response.status_code == 302, response.text[:300]
    assert "WORKER TIMEOUT" not in stack.log("gunicorn", 400)  # no worker was killed
    count = stack.run(
        "from comments.models import Comment\n"
        "print(Comment.objects.filter(body='And once it was released.').count())"
    )
    assert count.strip() == "1"


def _ready(stack) -> requests.Response:
    return anonymous_get(stack.url, "/readyz")


def _wait_ready(stack, status: int, seconds: float = 15) -> requests.Response:
    deadline = time.monotonic() + seconds
    while True:
        response = _ready(stack)
        if response.status_code == status:
            return response
        assert time.monotonic() < deadline, (response.status_code, response.text[:300])
        time.sleep(0.2)


def test_readyz_follows_redis_down_and_up(stack):
    ok = _wait_ready(stack, 200)
    assert ok.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "tasks": "ok"},
    }
    assert "no-store" in ok.headers["Cache-Control"]
    assert anonymous_get(stack.url, "/healthz").text.strip() == "ok"
    stack.stop_redis()
    try:
        down = _wait_ready(stack, 503)
        body = down.json()
        assert body["status"] == "unavailable" and body["checks"]["cache"] != "ok"
        assert body["checks"]["database"] == "ok"
        assert anonymous_get(stack.url, "/healthz").status_code == 200  # alive all along
    finally:
        stack.start_redis()
    assert _wait_ready(stack, 200).json()["checks"]["cache"] == "ok"


def _metric(text: str, name: str) -> float:
    values = [float(v) for v in re.findall(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.M)]
    assert values, f"{name} is not in /metrics"
    return sum(values)


def test_metrics_count_mails_and_purges(stack):
    assert anonymous_get(stack.url, "/metrics").status_code == 403  # never through Varnish
    before = requests.get(stack.app_url + "/metrics", timeout=10).text
    reset = Visitor(stack.url).post_form(
        "/accounts/password/reset/", "/accounts/password/reset/", {"email": "ada@example.org"}
    )
    assert reset.status_code == 302
    stack.smtp.wait_for(lambda m: "ada@example.org" in m.recipients, timeout=20)
    deadline = time.monotonic() + 10
    while True:
        after = requests.get(stack.app_url + "/metrics", timeout=10).text
        sent = _metric(after, "newsroom_mail_sent_total")
        if sent >= _metric(before, "newsroom_mail_sent_total") + 1:
            break
        assert time.monotonic() < deadline, "the mail sent is not counted"
        time.sleep(0.2)
    assert _metric(after, "newsroom_purges_sent_total") >= 1  # the seed's and journeys'
    for _ in range(2):  # a miss, then a hit, straight to the app (Varnish would answer)
        assert requests.get(stack.app_url + ARTICLE, timeout=10).status_code == 200
    after = requests.get(stack.app_url + "/metrics", timeout=10).text
    assert 'newsroom_page_cache_requests_total{result="hit"}' in after
