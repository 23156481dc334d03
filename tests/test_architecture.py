"""The layer rules in pyproject.toml's import-linter contracts hold, and they do bite."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_layer_contracts_are_kept():
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout


@pytest.mark.slow
def test_a_textual_import_below_the_ui_breaks_the_contract(tmp_path):
    shutil.copytree(REPO / "rekt_tui", tmp_path / "rekt_tui", ignore=shutil.ignore_patterns("__pycache__"))
    money = tmp_path / "rekt_tui" / "domain" / "money.py"
    money.write_text("import textual.app\n" + money.read_text())
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "Textual stays in the UI BROKEN" in result.stdout
