"""The house's one-way dependency rule, checked on the source (docs/architecture.md)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = {
    "serving", "accounts", "articles", "ingest", "syndication", "search",
    "comments", "demo", "stories", "api", "jobs",
}  # fmt: skip
# Infrastructure every app may call: the page cache and the task queue's helpers.
INFRA = {"serving", "jobs"}
# What each app may import besides itself.
ALLOWED = {
    "serving": set(),
    "jobs": set(),
    "articles": INFRA,
    "accounts": INFRA | {"articles"},
    "comments": INFRA | {"articles", "accounts"},
    "ingest": INFRA | {"articles"},
    "syndication": INFRA | {"articles"},
    "search": INFRA | {"articles"},
    "stories": INFRA | {"articles", "ingest"},
    "api": INFRA | {"articles", "accounts", "comments", "search", "stories", "syndication"},
    "demo": APPS - {"demo"},
}


def _imported_apps(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & (APPS | {"newsroom"})


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


@pytest.mark.parametrize("app", sorted(a for a in APPS if (ROOT / a).is_dir()))
def test_app_imports_only_what_it_may(app):
    wrong = {
        str(path.relative_to(ROOT)): sorted(found)
        for path in _modules(app)
        if (found := _imported_apps(path) - ALLOWED[app] - {app})
    }
    assert wrong == {}, f"{app} imports apps it must not (use a hook): {wrong}"


@pytest.mark.parametrize("app", sorted(a for a in APPS if (ROOT / a).is_dir()))
def test_app_imports_first_in_a_fresh_interpreter(app):
    """Right after setup (models only), each of the app's modules imports before anything
    else has: no import cycle hides behind the order a server happens to load them in."""
    modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in _modules(app)
        if "management" not in path.parts and "tests" not in path.parts
    ]
    script = (
        "import importlib, sys, django\n"
        "django.setup()\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script, *modules], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
