"""Snapshot of the checklist partly done: three lines hold, a deposit is confirming."""

from rekt_tui.tui.screens.checklist import ChecklistScreen
from tests.tui.conftest import make_app
from tests.tui.screen_data import half_done_checklist


def test_checklist_partly_done_with_a_deposit_confirming(snap_compare, services):
    async def show_checklist(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        screen = ChecklistScreen(localnet=True, strategies=("aggressive", "balanced", "high_conviction"), strategy=None)
        await pilot.app.push_screen(screen)
        screen.checklist = half_done_checklist()
        screen.busy_step = "deposit"
        await pilot.pause()

    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=show_checklist)
