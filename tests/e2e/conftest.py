"""The `cockpit` fixture: `rekt-tui` in tmux, always stopped with its localnet afterwards."""

import shutil

import pytest

from tests.e2e.tmux import REKT_TUI, Cockpit


@pytest.fixture
def venue() -> str:
    """The venue a cockpit runs; a test parametrized over `VENUES` overrides it."""
    return "drift"


@pytest.fixture
def cockpit(tmp_path, venue):
    if shutil.which("tmux") is None:
        pytest.skip(
            "tmux is not installed; the end-to-end tests drive the TUI through it"
        )
    assert REKT_TUI.exists(), (
        f"{REKT_TUI} is missing: install the package into this interpreter's environment"
    )
    harness = Cockpit(tmp_path, venue)
    try:
        yield harness
    finally:
        harness.close()
