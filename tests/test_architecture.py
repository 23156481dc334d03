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
    assert "8 kept, 0 broken" in result.stdout


@pytest.mark.slow
def copy_packages(root: Path) -> None:
    for package in ("rekt_tui", "rekt_localnet"):
        shutil.copytree(REPO / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))


@pytest.mark.slow
def test_a_textual_import_below_the_ui_breaks_the_contract(tmp_path):
    copy_packages(tmp_path)
    money = tmp_path / "rekt_tui" / "domain" / "money.py"
    money.write_text("import textual.app\n" + money.read_text())
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "Textual stays in the UI BROKEN" in result.stdout


@pytest.mark.slow
def test_a_product_import_in_the_localnet_breaks_the_contract(tmp_path):
    copy_packages(tmp_path)
    keys = tmp_path / "rekt_localnet" / "keys.py"
    keys.write_text("import rekt_tui.domain.money\n" + keys.read_text())
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "The localnet never imports the product BROKEN" in result.stdout


@pytest.mark.slow
def test_the_product_reaching_into_the_localnet_breaks_the_contract(tmp_path):
    copy_packages(tmp_path)
    orders = tmp_path / "rekt_tui" / "services" / "orders.py"
    orders.write_text("import rekt_localnet.ledger\n" + orders.read_text())
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "The product reaches the localnet only to start, stop and query it BROKEN" in result.stdout


@pytest.mark.slow
def test_a_service_importing_the_drift_adapter_breaks_the_seam_contract(tmp_path):
    copy_packages(tmp_path)
    orders = tmp_path / "rekt_tui" / "services" / "orders.py"
    orders.write_text("import rekt_tui.drift.order_actions\n" + orders.read_text())
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "Services and the UI reach a venue only through the seam BROKEN" in result.stdout
