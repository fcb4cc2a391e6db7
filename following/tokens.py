"""Signed unsubscribe tokens: the only place a reader's mail choice is in a URL.

A token names the reader's id and what to stop (the briefing or story updates), never an
address or what they follow; it is signed with SECRET_KEY and a salt of its own, by the
same code as accounts' notice tokens (accounts/mail.py).
"""

from __future__ import annotations

from accounts.mail import read_unsubscribe, sign_unsubscribe

_SALT = "following.unsubscribe"
WHAT = ("briefing", "updates")


def make(user_id: int, what: str) -> str:
    return sign_unsubscribe(user_id, what, salt=_SALT, key="w")


def read(token: str) -> tuple[int, str] | None:
    """(user id, what) from a token we signed, or None for anything else."""
    return read_unsubscribe(token, salt=_SALT, choices=WHAT, key="w")
