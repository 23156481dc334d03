"""Snapshots of session setup: a chosen wallet, its address, its QR code or a note, a funded balance."""

from dataclasses import replace

from rekt_tui.tui.screens.setup import SetupScreen
from tests.tui.conftest import make_app
from tests.tui.screen_data import FUNDED, session


def show_setup(services):
    scalps, swing = session(1, "scalps"), session(2, "swing")

    async def run_before(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        status = replace(await services.shell_status(), sessions=(scalps, swing))
        screen = SetupScreen(status, scalps)
        await pilot.app.push_screen(screen)
        screen.funding = FUNDED
        await pilot.pause()

    return run_before


def test_setup_screen_with_a_funded_wallet(snap_compare, services):
    """At 80×24 the QR code does not fit: a note says how to get it or copy the address."""
    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=show_setup(services))


def test_setup_screen_with_room_for_the_qr_code(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(100, 30), run_before=show_setup(services))
