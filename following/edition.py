"""The morning's edition: what there is to tell, as of one moment, shared by every reader
a worker mails in one run.

Readers following the same things get the same stories, so the work is done per followed
thing and per story, not per reader: each followed thing's stories in the window are read
once (a few queries for all the things a batch's readers follow that the edition has not
read yet), each story's block (its card and key points, HTML and text) is rendered once,
and a reader's top stories are merged in Python from their follows' lists. The edition
lives as long as one `send_due` run (a worker's task), so its memory is bounded by the
window's stories, not by the number of readers (bench/briefing_bench.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .models import Follow
from .selectors import key_points_of, stories_by_id, stories_of_targets

# A briefing covers the stories since the reader's last one, looking back at most this far
# (a reader with nothing to say for weeks gets the last week, not a month of news).
LOOKBACK = timedelta(days=7)
TOP = 10


@dataclass(frozen=True)
class Block:
    """A story as every briefing prints it."""

    title: str
    html: SafeString
    text: str


def target_of(follow: Follow) -> tuple[str, object]:
    if follow.kind == Follow.Kind.AUTHOR:
        return follow.kind, follow.author_slug
    return follow.kind, follow.topic_id or follow.source_id or follow.story_id


class Edition:
    def __init__(self, now: datetime) -> None:
        self.now = now
        # Followed thing -> (window start, [(rank key, story id, latest)] best first).
        self._stories: dict[tuple[str, object], tuple[datetime, list[tuple]]] = {}
        self._blocks: dict[int, Block | None] = {}
        # The mails' frames, rendered once per day and kind of mail (following/mail.py).
        self.frames: dict = {}

    def since(self, last_mail_at: datetime | None) -> datetime:
        first = self.now - timedelta(days=1)
        return max(last_mail_at or first, self.now - LOOKBACK)

    def read(self, follow_lists: list[list[Follow]], after: datetime) -> None:
        """Read the stories of every followed thing in the lists that the edition has not
        read back to `after` yet (at most four queries, one per kind of thing)."""
        stale = {
            target_of(f)
            for follows in follow_lists
            for f in follows
            if target_of(f) not in self._stories or self._stories[target_of(f)][0] > after
        }
        if not stale:
            return
        latest: dict[tuple, dict[int, tuple[int, datetime]]] = {t: {} for t in stale}
        for target, story_id, count, published_at in stories_of_targets(
            stale, after=after, until=self.now
        ):
            found = latest[target].get(story_id)
            if found is None or published_at > found[1]:
                latest[target][story_id] = (count, published_at)
        for target, stories in latest.items():
            rows = [(-c, -at.timestamp(), -sid, sid, at) for sid, (c, at) in stories.items()]
            rows.sort()
            self._stories[target] = (after, rows)

    def top(self, follows: list[Follow], since: datetime, limit: int = TOP) -> list[int]:
        """A reader's top stories: those with a followed report after `since`, most
        sources first, then newest. A story the reader should get is among the first
        `limit` of one of their follows' lists (ranked the same way), so only those are
        merged."""
        best: dict[int, tuple] = {}
        for follow in follows:
            taken = 0
            for row in self._stories.get(target_of(follow), (None, []))[1]:
                if taken == limit:
                    break
                if row[4] > since:
                    taken += 1
                    if row[3] not in best or row < best[row[3]]:
                        best[row[3]] = row
        return [row[3] for row in sorted(best.values())[:limit]]

    def blocks(self, story_ids) -> dict[int, Block]:
        """The stories' blocks, rendering those not rendered yet (two queries for all)."""
        missing = [i for i in story_ids if i not in self._blocks]
        if missing:
            found = stories_by_id(missing)
            points = key_points_of(list(found))
            for story_id in missing:
                story = found.get(story_id)
                self._blocks[story_id] = story and _render(story, points.get(story_id, []))
        return {i: self._blocks[i] for i in story_ids if self._blocks[i] is not None}


def _render(story, points) -> Block:
    context = {"story": story, "points": points[:3], "site_url": settings.SITE_URL}
    return Block(
        title=story.lead.title,
        html=SafeString(render_to_string("following/email/story.html", context)),
        text=render_to_string("following/email/story.txt", context),
    )
