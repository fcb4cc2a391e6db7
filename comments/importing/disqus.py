"""Disqus XML export: every <thread> (an article) first, then every <post> (a comment)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from comments.models import Status

from .records import Entry, Origin, Thread
from .xml import done, iter_elements, local, text

DSQ_ID = "{http://disqus.com/disqus-internals}id"


def read(path: str, skipped: dict) -> Iterator[Origin | Thread | Entry]:
    """The forum (the export's site, from the first <forum> named), then threads and
    posts in file order; every top-level element is freed once read."""
    forum = ""
    for element in iter_elements(path):
        name = local(element)
        parent = element.getparent()
        if name == "forum" and not forum and (element.text or "").strip():
            forum = element.text.strip()
            yield Origin(forum)
        top_level = parent is not None and parent.getparent() is None
        if not top_level:
            continue
        if name == "thread":
            yield Thread(
                key=element.get(DSQ_ID, ""), url=text(element, "link"), title=text(element, "title")
            )
        elif name == "post":
            entry = _entry(element, skipped)
            if entry is not None:
                yield entry
        done(element)


def _entry(element, skipped: dict) -> Entry | None:
    thread_key = parent_id = ""
    email = name = ""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if local(child) == "thread":
            thread_key = child.get(DSQ_ID, "")
        elif local(child) == "parent":
            parent_id = child.get(DSQ_ID, "")
        elif local(child) == "author":
            email, name = text(child, "email"), text(child, "name")
    try:
        created = datetime.fromisoformat(text(element, "createdAt"))
    except ValueError:
        skipped["unreadable date"] = skipped.get("unreadable date", 0) + 1
        return None
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return Entry(
        external_id=element.get(DSQ_ID, ""),
        thread_key=thread_key,
        parent_id=parent_id,
        body_html=text(element, "message"),
        created_at=created,
        status=_status(element),
        author_name=name,
        author_email=email,
    )


def _status(element) -> str:
    if text(element, "isSpam") == "true":
        return Status.SPAM
    if text(element, "isDeleted") == "true":
        return Status.REJECTED
    if text(element, "isApproved") == "false":
        return Status.PENDING
    return Status.APPROVED
