"""Text that readers type: one normal form, and what counts as visible.

Names and comments are normalised to NFKC, so full-width and other compatibility forms
of a letter are that letter (a blocked word or a reserved name cannot hide behind them).
Invisible characters (format characters such as the zero-width space, and the blank
"letters" some scripts have) do not count towards emptiness or length, so a comment of
three zero-width spaces is too short and a name of one is no name. Control characters
other than line breaks and tabs are refused: PostgreSQL cannot store NUL, and nothing
else of that kind belongs in text a person typed.
"""

from __future__ import annotations

import unicodedata

# Characters outside category Cf that still render as nothing.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u034f")
ALLOWED_CONTROLS = frozenset("\n\t")


def normalise(text: str) -> str:
    """NFKC, the normal form every reader-typed string is stored in."""
    return unicodedata.normalize("NFKC", text or "")


def is_invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" or ch in BLANK_LETTERS


def has_control_characters(text: str) -> bool:
    """True for NUL and the other C0/C1 controls (line breaks and tabs are fine)."""
    return any(unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS for ch in text)


def visible(text: str) -> str:
    """`text` without its invisible characters, for emptiness and length checks."""
    return "".join(ch for ch in text if not is_invisible(ch))
