"""`make bench`'s second scenario: two app servers sharing PostgreSQL and Redis, or SQLite and
the disk cache. A publish through the admin of one must be visible on the other, in
every worker, within 1 s (bench/run.py)."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request


def http(method: str, url: str, cookie: str, data: dict | None = None) -> tuple[int, str, dict]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method, headers={"Cookie": cookie})

    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **kw):
            return None

    opener = urllib.request.build_opener(Keep)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def two_instances(env: dict, facts: dict, gunicorn) -> dict:
    """Publish through the admin of instance A; read it from instance B at once.
    `gunicorn(env, workers=)` starts one (bench/load.py's Gunicorn)."""
    a, b = gunicorn(env, workers=2), gunicorn(env, workers=2)
    try:
        draft_id, slug, title = facts["drafts"][0]
        article_path = f"/articles/{slug}/"
        before_article = http("GET", b.url + article_path, "")[0]
        http("GET", b.url + "/", "")  # cache B's home page
        home_before = title in http("GET", b.url + "/", "")[1]
        cookie = facts["editor_cookie"]
        status, page, headers = http("GET", a.url + "/admin/articles/article/", cookie)
        polls = 0
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        csrf_cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
        cookie_both = f"{cookie}; csrftoken={csrf_cookie}"
        status, _, _ = http(
            "POST",
            a.url + "/admin/articles/article/",
            cookie_both,
            {
                "csrfmiddlewaretoken": token,
                "action": "publish_now",
                "_selected_action": str(draft_id),
                "index": "0",
            },
        )
        published_status = status
        t0 = time.monotonic()  # from the moment A has answered the publish

        def shows() -> bool:
            code, _, _ = http("GET", b.url + article_path, "")
            return code == 200 and title in http("GET", b.url + "/", "")[1]

        # When the first request that showed it was sent: it was visible by then. Its
        # answer comes later by the renders of both pages (the publish made them stale),
        # seconds on a loaded machine: reported apart, as the answer's time.
        seen_after = answered_after = None
        for _ in range(200):
            polls += 1
            sent = time.monotonic() - t0
            if shows():
                seen_after, answered_after = sent, time.monotonic() - t0
                break
            time.sleep(0.01)
        # B has two workers and that answer came from one: read on for a second (each
        # request goes to whichever worker is idle) and note any answer still without it.
        after, stale_after = 0, []
        end = time.monotonic() + 1
        while seen_after is not None and time.monotonic() < end:
            after += 1
            if not shows():
                stale_after.append(round(time.monotonic() - t0, 3))
        return {
            "reads_after": after,
            "stale_after": stale_after,
            "article_on_b_before": before_article,
            "on_b_home_before": home_before,
            "admin_post_status": published_status,
            "visible_on_b_after_seconds": None if seen_after is None else round(seen_after, 3),
            "answered_after_seconds": None if seen_after is None else round(answered_after, 3),
            "polls": polls,
            "title": title,
        }
    finally:
        a.stop()
        b.stop()
