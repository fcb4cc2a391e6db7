"""The settings package: one reader of the environment, no side effects, and a README
configuration table that matches what the settings really read."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from tests import forkserver

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "newsroom" / "settings"
# Read by gunicorn.conf.py, not by Django's settings.
GUNICORN = set(
    re.findall(
        r'(?:_int|environ\.get)\(\s*"([A-Z][A-Z0-9_]*)"', (ROOT / "gunicorn.conf.py").read_text()
    )
)


def _table() -> list[tuple[list[str], str]]:
    """(variable names, default cell) of each row of the README's configuration table."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 3:
            rows.append((re.findall(r"`([A-Z][A-Z0-9_]*\*?)`", cells[0]), cells[1]))
    return rows


readERS = {"env_str", "env_bool", "env_int", "env_float", "env_list", "env_prefixed"}


def _read() -> dict[str, object]:
    """Every variable the settings modules read, with its default when it is a literal
    (found in the source, so a branch that does not run here still counts)."""
    found: dict[str, object] = {}
    for path in sorted(SETTINGS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in readERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                name = node.args[0].value + ("*" if node.func.id == "env_prefixed" else "")
                default = node.args[1] if len(node.args) > 1 else None
                found[name] = default.value if isinstance(default, ast.Constant) else ...
    return found


def _covered(name: str, documented: set[str]) -> bool:
    return name in documented or any(
        d.endswith("*") and name.startswith(d[:-1]) for d in documented
    )


def test_every_variable_the_settings_read_is_in_the_readme_table():
    read = _read()
    documented = {name for names, _ in _table() for name in names}
    missing = sorted(name for name in read if not _covered(name.rstrip("*"), documented))
    assert missing == [], f"add these to the README's configuration table: {missing}"


def test_every_variable_in_the_readme_table_is_read():
    read = _read()
    read = {name.rstrip("*") for name in read} | GUNICORN
    stale = sorted(
        name
        for names, _ in _table()
        for name in names
        if not name.endswith("*") and name not in read
    )
    assert stale == [], f"the README documents variables nothing reads: {stale}"


def test_simple_defaults_in_the_readme_are_the_settings_defaults():
    read = _read()
    checked = 0
    for names, default in _table():
        literal = re.fullmatch(r"`([^`]*)`", default)
        if len(names) != 1 or literal is None or read.get(names[0], ...) is ...:
            continue
        ours = read[names[0]]
        if isinstance(ours, bool):
            ours = "1" if ours else "0"
        elif isinstance(ours, float) and ours.is_integer():
            ours = int(ours)
        assert str(ours) == literal[1], f"{names[0]}: README says {default}, settings {ours!r}"
        checked += 1
    assert checked >= 10


def test_the_environment_is_read_only_through_env_py():
    offenders = []
    for path in sorted(SETTINGS.glob("*.py")):
        if path.name == "env.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_no_settings_module_is_over_200_lines():
    long = {
        p.name: n for p in SETTINGS.glob("*.py") if (n := len(p.read_text().splitlines())) > 200
    }
    assert long == {}


def test_importing_the_settings_creates_nothing(tmp_path):
    var = tmp_path / "var"
    code = "import newsroom.settings as s; print(s.VAR_DIR)"
    env = {"VAR_DIR": str(var), "PATH": "/usr/bin:/bin"}
    result = forkserver.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(var)
    assert not var.exists()


def test_no_code_reads_the_environment_but_the_settings_reader():
    """The app reads its configuration through settings only (gunicorn.conf.py is
    gunicorn's, and wsgi.py and manage.py only name the settings module)."""
    allowed = {"newsroom/settings/env.py", "gunicorn.conf.py", "newsroom/wsgi.py", "manage.py"}
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in {".venv", "tests", "bench", "var"} or relative in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == []


def test_django_contrib_postgres_is_installed_on_postgresql_only():
    """Its app imports psycopg at start (0.15-0.2 CPU-seconds of every process), which a
    site on SQLite never uses; on PostgreSQL search needs it."""
    from django.conf import settings
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    assert ("django.contrib.postgres" in settings.INSTALLED_APPS) is postgres
