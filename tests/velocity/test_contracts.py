"""The import-linter entries that keep Velocity's codec inside its adapter do bite."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_with(tmp_path: Path, module: str, line: str) -> str:
    for package in ("rekt_tui", "rekt_localnet"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / module
    target.write_text(line + "\n" + target.read_text())
    result = subprocess.run(
        [str(LINT_IMPORTS), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    return result.stdout


@pytest.mark.slow
def test_a_service_importing_the_codec_breaks_the_contract(tmp_path):
    out = lint_with(tmp_path, "rekt_tui/services/orders.py", "import rekt_tui.velocity.codec.binary")
    assert "Venue clients and codecs stay in their adapters BROKEN" in out
    assert "rekt_tui.services.orders -> rekt_tui.velocity.codec.binary" in out


@pytest.mark.slow
def test_the_drift_adapter_importing_velocity_breaks_the_layers(tmp_path):
    out = lint_with(tmp_path, "rekt_tui/drift/errors.py", "import rekt_tui.velocity.codec.idl")
    assert "Layers:" in out and "BROKEN" in out
    assert "rekt_tui.drift.errors -> rekt_tui.velocity.codec.idl" in out
