"""The type checker is part of the suite: mypy, as configured in pyproject.toml, finds nothing.

The domain, the services and the venue seam are checked strictly (see `[tool.mypy]`).
"""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MYPY = Path(sys.executable).with_name("mypy")


def run_mypy(*paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MYPY), "--config-file", str(REPO / "pyproject.toml"), "--no-incremental", *paths],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.mark.slow
def test_the_package_type_checks():
    result = run_mypy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


@pytest.mark.slow
def test_a_type_error_in_the_services_fails_the_check(tmp_path):
    """The strict section bites: an untyped function in services is an error."""
    broken = tmp_path / "rekt_tui" / "services"
    broken.mkdir(parents=True)
    for package in (tmp_path / "rekt_tui", broken):
        (package / "__init__.py").write_text("")
    probe = broken / "probe.py"
    probe.write_text("def untyped(x):\n    return x + 1\n\n\nCOUNT: int = 'three'\n")
    result = subprocess.run(
        [str(MYPY), "--config-file", str(REPO / "pyproject.toml"), "--no-incremental", str(probe)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "no-untyped-def" in result.stdout and "Incompatible types in assignment" in result.stdout
