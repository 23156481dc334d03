"""The adapter stands alone: typed strictly, no driftpy or anchorpy, its interface file shipped."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MODULES = sorted(
    ".".join(p.relative_to(REPO).with_suffix("").parts)
    for p in (REPO / "rekt_tui" / "velocity").rglob("*.py")
)


@pytest.mark.slow
def test_the_adapter_imports_neither_driftpy_nor_anchorpy():
    """anchorpy3 would shadow anchorpy, so the adapter must never need either (nor driftpy)."""
    imports = "; ".join(f"import {m}" for m in MODULES)
    probe = f"import sys; {imports}; print(sorted(m for m in sys.modules if m.split('.')[0] in ('driftpy', 'anchorpy', 'anchorpy_core')))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, env={"PYTHONPATH": str(REPO)},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert len(MODULES) >= 10
    assert result.stdout.strip() == "[]"


@pytest.mark.slow
def test_the_adapter_passes_strict_type_checking(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), "rekt_tui/velocity"],
        cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_interface_file_ships_with_its_licence():
    pinned = REPO / "rekt_tui" / "velocity" / "codec" / "pinned"
    assert (pinned / "velocity.json").is_file()
    assert "Apache License" in (pinned / "LICENSE").read_text()
    assert "18614cefed4474b7629d5d39de18da8b933c5e32" in (pinned / "PROVENANCE.md").read_text()
