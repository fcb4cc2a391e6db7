"""The house's one-way dependency rule, checked on the source (docs/architecture.md)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import stop

ROOT = Path(__file__).resolve().parent.parent
APPS = {
    "serving", "accounts", "articles", "ingest", "syndication", "search",
    "comments", "demo", "stories", "api", "jobs", "following",
}  # fmt: skip
# Infrastructure every app may call: the page cache and the task queue's helpers.
INFRA = {"serving", "jobs"}
# What each app may import besides itself.
ALLOWED = {
    "serving": set(),
    "jobs": {"serving"},  # infrastructure too: metrics of its own work
    "articles": INFRA,
    "accounts": INFRA | {"articles"},
    "comments": INFRA | {"articles", "accounts"},
    "ingest": INFRA | {"articles"},
    "syndication": INFRA | {"articles", "search", "stories"},
    "search": INFRA | {"articles"},
    "stories": INFRA | {"articles", "ingest"},
    "api": INFRA
    | {"articles", "accounts", "comments", "following", "search", "stories", "syndication"},
    "following": INFRA | {"articles", "accounts", "stories"},
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


# One interpreter runs django.setup() (models only), then forks a child per app, which
# imports that app's modules and answers with a line "RESULT <traceback or "">". A child
# starts from what a new interpreter has right after setup, without paying the setup
# (about 0.8 CPU-seconds) for each of the twelve apps.
_FORKING_IMPORTER = """
import importlib, json, os, sys, traceback
import django
django.setup()
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        try:
            for name in json.loads(line):
                importlib.import_module(name)
            error = ""
        except BaseException:
            error = traceback.format_exc()
        sys.stdout.write("RESULT " + json.dumps(error) + "\\n")
        sys.stdout.flush()
        os._exit(0)
    os.waitpid(pid, 0)
"""


@pytest.fixture(scope="module")
def import_after_setup():
    """`import_after_setup(modules)`: what a fresh interpreter's import of `modules`
    right after django.setup() printed, with the traceback it ended on ("" when none)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    proc = subprocess.Popen(
        [sys.executable, "-c", _FORKING_IMPORTER],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def run(modules: list[str]) -> tuple[str, str]:
        proc.stdin.write(json.dumps(modules) + "\n")
        proc.stdin.flush()
        printed = []
        while line := proc.stdout.readline():
            if line.startswith("RESULT "):
                return "".join(printed), json.loads(line.removeprefix("RESULT "))
            printed.append(line)
        return "".join(printed), f"the importer exited ({proc.wait()})"

    yield run
    proc.stdin.close()
    stop(proc)


@pytest.mark.parametrize("app", sorted(a for a in APPS if (ROOT / a).is_dir()))
def test_app_imports_first_in_a_fresh_interpreter(app, import_after_setup):
    """Right after setup (models only), each of the app's modules imports before anything
    else has: no import cycle hides behind the order a server happens to load them in."""
    modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in _modules(app)
        if "management" not in path.parts and "tests" not in path.parts
    ]
    printed, error = import_after_setup(modules)
    assert error == "", (printed + error)[-3000:]


# Cross-app hooks: a setting naming another app's callables, read by the host app. Each is
# an edge of the app graph the import rule cannot see, so it is listed here and in
# docs/architecture.md's hooks table.
HOOKS = {
    "PAGE_CACHE_NEXT_CHANGE": "serving",
    "PAGE_SLOTS": "serving",
    "ARTICLE_PAGE_SECTIONS": "articles",
    "ARTICLE_RELATED_HOOK": "articles",
    "ARTICLE_CARD_HOOKS": "articles",
    "ACCOUNTS_PROFILE_SECTIONS": "accounts",
    "ACCOUNTS_SETTINGS_SECTIONS": "accounts",
    "ACCOUNTS_DELETION_HOOKS": "accounts",
    "ACCOUNTS_EXPORT_HOOKS": "accounts",
}
# Settings Django or allauth read to wire the project together (newsroom's business, which
# may name any app).
WIRING = {
    "ACCOUNT_ADAPTER", "ACCOUNT_FORMS", "ACCOUNT_SIGNUP_FORM_CLASS", "ACCOUNT_USER_DISPLAY",
    "AUTH_USER_MODEL", "CACHES", "EMAIL_BACKEND", "FORM_RENDERER", "MIDDLEWARE", "STORAGES",
    "TEMPLATES", "INSTALLED_APPS", "ROOT_URLCONF", "WSGI_APPLICATION", "SCHEDULER_JOBS",
}  # fmt: skip


def _our_paths(value) -> list[str]:
    if isinstance(value, str):
        head = value.split(".")[0]
        return [value] if head in APPS and "." in value and " " not in value else []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [p for item in value for p in _our_paths(item)]
    return []


def test_every_setting_naming_an_app_is_a_declared_hook_or_wiring(settings):
    """A new dotted path in the settings is a new edge between apps: it must be declared."""
    hidden = {
        name: paths
        for name in dir(settings)
        if name.isupper() and name not in HOOKS and name not in WIRING
        if (paths := _our_paths(getattr(settings, name)))
    }
    assert hidden == {}, f"settings naming apps' code, neither hook nor wiring: {hidden}"


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hook_points_from_its_host_to_an_app_that_may_not_be_imported(name, settings):
    """A hook runs the other way round from imports (the host cannot import the app it
    calls); it is documented, and each of its paths imports."""
    from django.utils.module_loading import import_string

    host = HOOKS[name]
    assert f"`{name}`" in (ROOT / "docs" / "architecture.md").read_text(), name
    for path in _our_paths(getattr(settings, name)):
        app = path.split(".")[0]
        assert app not in ALLOWED[host] | {host}, f"{name}: {host} may import {app} directly"
        assert callable(import_string(path)), path
