"""The site's rules for names and comments, applied to what an export says.

An export's words were written elsewhere, under other rules; here they pass the same
checks as a comment or a name typed on this site (accounts/text.py,
accounts/signup.py, comments/rules.py), but an import never loses a comment for them:

- a **name** is NFKC-normalised, rid of control and invisible characters (a zero-width
  space hides nothing) and cut to 60 characters. A name the site refuses at sign-up
  (reserved words such as "Moderator", "[deleted]", the site's name) or that is a staff
  member's name is **refused**: the comment is shown under "Imported reader" and the
  export's name stays on the ImportedAuthor row for moderators; a report line counts
  them.
- a **body** is NFKC-normalised and its control characters removed (counted). One
  longer than COMMENTS_MAX_LENGTH is **kept whole but marked**: held as pending with the
  reason "Too long" for a moderator to decide, never published as is (counted). One
  below COMMENTS_MIN_LENGTH is kept: the minimum stops a reader posting "ok" here, and
  an old "+1" was fine where it was written.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts import text
from accounts.signup import clean_display_name
from comments.models import Reason, Status
from comments.rules import normalise_body

REFUSED_NAME = "Imported reader"
ANONYMOUS_NAME = "Anonymous"


def staff_names() -> frozenset[str]:
    """Staff members' names, case-folded (one query per import)."""
    names = get_user_model().objects.filter(is_staff=True).values_list("display_name", flat=True)
    return frozenset(n.casefold() for n in names if n)


def visible_name(raw: str) -> str:
    """The name as this site would store it: NFKC, no control or invisible characters,
    spaces collapsed, at most 60 characters."""
    value = text.normalise(raw)
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cc")
    return " ".join(text.visible(value).split())[:60]


def shown_name(raw: str, staff: frozenset[str]) -> tuple[str, bool]:
    """(the name to show, whether the export's name was refused)."""
    name = visible_name(raw)
    if not name:
        return ANONYMOUS_NAME, False
    try:
        clean_display_name(name)
    except ValidationError:
        return REFUSED_NAME, True
    if name.casefold() in staff:
        return REFUSED_NAME, True
    return name, False


def clean_body(body: str) -> tuple[str, bool]:
    """(the body as stored, whether control characters were removed)."""
    body = normalise_body(body)
    if not text.has_control_characters(body):
        return body, False
    kept = "".join(
        ch for ch in body if unicodedata.category(ch) != "Cc" or ch in text.ALLOWED_CONTROLS
    )
    return kept.strip(), True


def too_long(body: str) -> bool:
    return len(body) > settings.COMMENTS_MAX_LENGTH


def held_for_length(status: str, body: str) -> tuple[str, str, str]:
    """(status, hold reason, reason text) for a body over the limit."""
    limit = settings.COMMENTS_MAX_LENGTH
    note = f"Imported: {len(body):,} characters, over the {limit:,} limit; kept whole."
    if status == Status.APPROVED:
        status = Status.PENDING
    return status, Reason.TOO_LONG, note
