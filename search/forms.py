"""The search form: the cleaned parameters of /search/."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import HttpRequest

MAX_QUERY_CHARS = 200
MAX_WORDS = 8
WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass
class SearchForm:
    """The cleaned search parameters."""

    q: str = ""
    source: str = ""
    topic: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> SearchForm:
        def clean(name: str, limit: int) -> str:
            value = request.GET.get(name, "")
            # Control characters (NUL breaks PostgreSQL) become spaces; length is capped.
            value = "".join(ch if ch.isprintable() else " " for ch in value[: limit * 4])
            return " ".join(value.split())[:limit]

        return cls(
            q=clean("q", MAX_QUERY_CHARS), source=clean("source", 120), topic=clean("topic", 80)
        )

    @property
    def words(self) -> list[str]:
        return WORD_RE.findall(self.q)[:MAX_WORDS]

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.source or self.topic)
