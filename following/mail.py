"""The briefing and story-update mail: HTML and plain text in the site's look, with
RFC 2369 / RFC 8058 unsubscribe headers (a mailto and a one-click HTTPS POST)."""

from __future__ import annotations

import re
from email.utils import parseaddr
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString

from jobs.mail import WrittenAlternatives

from . import tokens


def unsubscribe_url(token: str) -> str:
    path = reverse("following:unsubscribe", args=[token])
    return f"{settings.SITE_URL}{path}"


def _mailto(token: str) -> str:
    address = settings.FOLLOWING_UNSUBSCRIBE_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return f"mailto:{address}?subject={quote('unsubscribe ' + token)}"


# The parts of a mail that differ from reader to reader: holes in a frame rendered once.
HOLES = ("stories", "updates", "unsubscribe_url")
_HOLE = re.compile("\x00({})\x00".format("|".join(HOLES)))


class Frame:
    """A mail template rendered once (per run, day and kind of mail) with holes where each
    reader's stories, updates and unsubscribe link go: a mail is then a join of strings,
    not a template rendering (bench/briefing_profile.py)."""

    def __init__(self, template: str, context: dict) -> None:
        holes = {name: SafeString(f"\x00{name}\x00") for name in HOLES}
        self.parts = _HOLE.split(render_to_string(template, {**context, **holes}))

    def fill(self, **values: str) -> str:
        return "".join(values[p] if i % 2 else p for i, p in enumerate(self.parts))


def briefing_message(
    *, user, day, stories: list, updates: list, with_briefing: bool, frames: dict | None = None
) -> EmailMultiAlternatives:
    """One reader's mail of the day: the top stories (a briefing: edition.Block's, each
    rendered once for all readers) and/or updates on the stories they follow. `frames`
    keeps the frames between the mails of a run (edition.Edition.frames)."""
    what = "briefing" if with_briefing else "updates"
    token = tokens.make(user.pk, what)
    url = unsubscribe_url(token)
    frames = {} if frames is None else frames
    key = (day, with_briefing, bool(stories))
    if key not in frames:
        context = {
            "day": day,
            "has_stories": bool(stories),
            "with_briefing": with_briefing,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "following_url": settings.SITE_URL + reverse("following:page"),
            "settings_url": settings.SITE_URL
            + reverse("accounts:profile_edit")
            + "#following-mail",
        }
        frames[key] = tuple(Frame(f"following/email/briefing.{x}", context) for x in EXTENSIONS)
    news = {"updates": updates, "site_url": settings.SITE_URL}
    text, html = (
        frame.fill(
            stories="".join(_story(block, n, extension) for n, block in enumerate(stories)),
            updates=render_to_string(f"following/email/updates.{extension}", news)
            if updates
            else "",
            unsubscribe_url=url if extension == "txt" else escape(url),
        )
        for frame, extension in zip(frames[key], EXTENSIONS, strict=True)
    )
    if with_briefing:
        # One line: a headline may hold a line break (an editor's, the API's), which
        # Django refuses in a header, failing the whole batch.
        headline = " ".join(stories[0].title.split()) if stories else ""
        subject = f"Your briefing: {headline}" if headline else "Your briefing"
    else:
        subject = f"News on {len(updates)} stor{'y' if len(updates) == 1 else 'ies'} you follow"
    message = WrittenAlternatives(
        f"[{settings.SITE_NAME}] {subject}",
        text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{_mailto(token)}>, <{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{settings.SITE_NAME} {what} <{what}.following.{_host()}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


EXTENSIONS = ("txt", "html")


# What goes above each story in the HTML part: a heavier line above the first.
_DIVIDER = '<div style="padding:12px 0;border-top:{}">\n      '
_DIVIDERS = (_DIVIDER.format("3px solid #16191d"), _DIVIDER.format("1px solid #dde1e6"))


def _story(block, n: int, extension: str) -> str:
    if extension == "txt":
        return f"\n{n + 1}. {block.text}"
    return f"{_DIVIDERS[n > 0]}{block.html}    </div>\n"


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
