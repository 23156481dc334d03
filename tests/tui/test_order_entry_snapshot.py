"""Snapshot of order entry holding a guard refusal, with the numbers behind it."""

from rekt_tui.tui.screens.order_entry import DEBOUNCE_S, OrderEntryScreen
from tests.tui.conftest import make_app
from tests.tui.screen_data import refused_plan


def test_order_entry_with_a_guard_refusal(snap_compare, services):
    async def show_refusal(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        screen = OrderEntryScreen("buy", ("BTC-PERP", "ETH-PERP", "SOL-PERP"))
        await pilot.app.push_screen(screen)
        await pilot.press(*"1000")
        # The app answers the typed form first (no session here); the fixed plan replaces that answer.
        await pilot.pause(DEBOUNCE_S * 2)
        await pilot.app.workers.wait_for_complete()
        screen.show_plan(screen.form(), refused_plan(), "")
        await pilot.pause()

    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=show_refusal)
