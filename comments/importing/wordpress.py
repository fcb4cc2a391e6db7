"""WordPress eXtended RSS (Tools > Export): posts are <item>s, comments <wp:comment>s."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from django.utils import timezone

from comments.models import Status

from .records import WORDPRESS_STATUS, Entry, Origin, Thread
from .xml import done, iter_elements, local, text

SKIPPED_TYPES = {"pingback", "trackback"}


def read(path: str, skipped: dict) -> Iterator[Origin | Thread | Entry]:
    """The export's site, then threads and comments in file order; a post's Thread comes
    before its comments.

    Every element is freed once read, whatever it is (categories, tags, terms, authors
    and any other channel-level element as much as items), so memory stays flat however
    much the channel holds. `skipped` counts what is left out on purpose (pingbacks and
    trackbacks, unreadable dates)."""
    link = post_id = title = ""
    announced = False
    for element in iter_elements(path):
        name = local(element)
        parent = element.getparent()
        where = local(parent) if parent is not None else ""
        if where == "channel" and name == "base_site_url":
            yield Origin((element.text or "").strip())
        elif where == "item" and name == "link":
            link = (element.text or "").strip()
        elif where == "item" and name == "title":
            title = (element.text or "").strip()
        elif where == "item" and name == "post_id":
            post_id = (element.text or "").strip()
        elif where == "item" and name == "comment":
            if not announced:
                announced = True
                yield Thread(key=post_id or link, url=link, title=title)
            entry = _entry(element, post_id or link, skipped)
            if entry is not None:
                yield entry
        elif name == "item":
            link = post_id = title = ""
            announced = False
        if where in ("channel", "item", "rss"):
            done(element)


def _entry(element, thread_key: str, skipped: dict) -> Entry | None:
    kind = text(element, "comment_type")
    if kind in SKIPPED_TYPES:
        skipped[kind] = skipped.get(kind, 0) + 1
        return None
    created = _date(text(element, "comment_date_gmt"), text(element, "comment_date"))
    if created is None:
        skipped["unreadable date"] = skipped.get("unreadable date", 0) + 1
        return None
    parent = text(element, "comment_parent")
    return Entry(
        external_id=text(element, "comment_id"),
        thread_key=thread_key,
        parent_id="" if parent in ("", "0") else parent,
        body_html=text(element, "comment_content"),
        created_at=created,
        status=WORDPRESS_STATUS.get(text(element, "comment_approved"), Status.PENDING),
        author_name=text(element, "comment_author"),
        author_email=text(element, "comment_author_email"),
    )


def _date(gmt: str, local_time: str) -> datetime | None:
    """comment_date_gmt is UTC; old exports leave it at zero, then the site's local time."""
    try:
        if gmt and not gmt.startswith("0000"):
            return datetime.fromisoformat(gmt).replace(tzinfo=UTC)
        return timezone.make_aware(datetime.fromisoformat(local_time))
    except ValueError:
        return None
