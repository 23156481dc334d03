"""Snapshots of the shell's screens (Textual is pinned, so rendering changes are ours).

Addresses come from fixed seeds and the activity clock is fixed, so every run renders the
same screens. The app runs in the snapshot plugin's own event loop; the services opened in
the fixture's loop work there because each registry call binds to the loop that awaits it.
"""

from pathlib import Path

import pytest

from rekt_tui.domain.session import SessionStatus
from rekt_tui.registry import Registry
from rekt_tui.services.container import Services
from tests.tui.conftest import add_wallet, make_app


async def loaded(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
async def services_with_wallets(services: Services, tmp_path: Path) -> Services:
    await add_wallet(services, tmp_path, seed=1, label="scalps")
    swing = await add_wallet(services, tmp_path, seed=2, label="swing")
    await services.registry.set_session_status(swing.pubkey, SessionStatus.ARCHIVED)
    return services


@pytest.fixture
async def read_only_services(services: Services):
    """A registry opened read-only on request: the same notice as a second instance, without a pid."""
    registry = await Registry.open(services.settings.data_dir, read_only=True)
    yield Services(services.settings, registry)
    await registry.close()


def test_shell_80x24_without_sessions(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=loaded)


def test_shell_160x48_with_sessions(snap_compare, services_with_wallets):
    assert snap_compare(make_app(services_with_wallets), terminal_size=(160, 48), run_before=loaded)


def test_help_screen(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=loaded, press=["question_mark"])


def test_mainnet_banner(snap_compare, mainnet_services):
    assert snap_compare(make_app(mainnet_services), terminal_size=(80, 24), run_before=loaded)


def test_read_only_notice(snap_compare, read_only_services):
    assert snap_compare(make_app(read_only_services), terminal_size=(80, 24), run_before=loaded)
