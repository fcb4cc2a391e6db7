"""Signed unsubscribe tokens: the only place a reader's mail choice is in a URL.

A token names the reader's id and what to stop (the briefing or story updates), never an
address or what they follow; it is signed with SECRET_KEY and a salt of its own.
"""

from __future__ import annotations

from django.core import signing

_SALT = "following.unsubscribe"
WHAT = ("briefing", "updates")


def make(user_id: int, what: str) -> str:
    return signing.dumps({"u": user_id, "w": what}, salt=_SALT, compress=True)


def read(token: str) -> tuple[int, str] | None:
    """(user id, what) from a token we signed, or None for anything else."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("w") not in WHAT:
        return None
    if not isinstance(data.get("u"), int):
        return None
    return data["u"], data["w"]
