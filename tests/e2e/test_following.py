"""A reader follows a topic through Varnish, the Following page fills, the morning
briefing leaves through the queue and the worker to the SMTP server, and the mail
client's one-click POST unsubscribes without a cookie."""

from __future__ import annotations

import re
import time

import requests

from tests.e2e.http import Visitor

TOPIC = "/topics/harbour/"


def _following_shows(visitor: Visitor, text: str, seconds: float) -> None:
    """The seed's articles are grouped into stories by the worker: wait for that."""
    started = time.monotonic()
    while text not in visitor.get("/following/").text:
        assert time.monotonic() - started < seconds, "the Following page stayed empty"
        time.sleep(0.2)


def test_a_reader_follows_gets_the_briefing_and_unsubscribes_in_one_click(stack):
    reader = Visitor(stack.url)
    reader.log_in("ada@example.org")
    followed = reader.post_form(
        TOPIC, "/following/follow/", {"kind": "topic", "slug": "harbour", "next": TOPIC}
    )
    assert followed.status_code == 302 and followed.headers["Location"] == TOPIC
    assert 'aria-pressed="true"' in reader.get(TOPIC).text
    _following_shows(reader, "Ferry timetable changes for the winter", seconds=20)
    chosen = reader.post_form(
        "/accounts/profile/",
        "/following/settings/",
        {"briefing": "on", "briefing_time": "07:00", "time_zone": "Asia/Seoul"},
    )
    assert chosen.status_code == 302

    out = stack.manage("send_briefings", "--now", "--reader", "ada@example.org")
    assert "1 mail queued" in out
    mail = stack.smtp.wait_for(
        lambda m: "ada@example.org" in m.recipients and "briefing" in m.message["Subject"],
        timeout=20,
    )
    assert "Ferry timetable changes for the winter" in mail.text()
    assert "Ferry timetable changes for the winter" in mail.html()
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = " ".join(str(mail.message["List-Unsubscribe"]).split())
    assert "<mailto:" in header and "ada@example.org" not in header
    url = re.search(r"<(http[^>]+)>", header).group(1)
    assert url.startswith(stack.url + "/following/unsubscribe/")

    # What a mail client sends (RFC 8058): a POST, no cookie, no CSRF token.
    response = requests.post(
        url, data={"List-Unsubscribe": "One-Click"}, allow_redirects=False, timeout=30
    )
    assert response.status_code == 200
    profile = reader.get("/accounts/profile/").text
    checkbox = re.search(r'<input[^>]*name="briefing"[^>]*>', profile).group(0)
    assert "checked" not in checkbox
    # Nothing more to send: the briefing is off.
    assert "0 mails queued" in stack.manage("send_briefings", "--now")
