"""Snapshot of session setup: a chosen wallet, its address, the copy note and a funded balance."""

from dataclasses import replace

from rekt_tui.tui.screens.setup import SetupScreen
from tests.tui.conftest import make_app
from tests.tui.screen_data import FUNDED, session


def test_setup_screen_with_a_funded_wallet(snap_compare, services):
    scalps, swing = session(1, "scalps"), session(2, "swing")

    async def show_setup(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        status = replace(await services.shell_status(), sessions=(scalps, swing))
        screen = SetupScreen(status, scalps)
        await pilot.app.push_screen(screen)
        screen.funding = FUNDED
        await pilot.pause()

    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=show_setup)
