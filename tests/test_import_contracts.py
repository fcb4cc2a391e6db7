"""import-linter's contracts (pyproject.toml [tool.importlinter]): the one-way rule between
apps, and no import cycle between the modules of one app, counting the imports written
inside functions, which hide a cycle from Python but not from a reader."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
