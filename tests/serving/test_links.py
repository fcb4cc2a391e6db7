"""`{% link %}`: the site's fixed addresses reversed once per process (serving/links.py),
always what `{% url %}` gives, under any script prefix."""

import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import clear_script_prefix, set_script_prefix

ROOT = Path(__file__).resolve().parents[2]
LINKED = re.compile(r"\{% link ((?:'[^']+' ?)+) %\}")


def _render(text: str) -> str:
    return engines["django"].from_string("{% load links %}" + text).render({})


def _links_in_templates() -> set[str]:
    found = set()
    for path in (ROOT / "templates").rglob("*.html"):
        found |= {m.strip() for m in LINKED.findall(path.read_text())}
    return found


@pytest.mark.parametrize("prefix", ["/", "/news/"])
def test_every_link_in_the_templates_is_what_url_gives(prefix):
    linked = _links_in_templates()
    assert len(linked) >= 10  # the header's, the footer's and the feeds'
    set_script_prefix(prefix)
    try:
        for args in sorted(linked):
            link = _render(f"{{% link {args} %}}")
            assert link == _render(f"{{% url {args} %}}")
            assert link.startswith(prefix)
    finally:
        clear_script_prefix()
