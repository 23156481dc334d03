"""The recovery banner against a live localnet: a session left holding a position blocks
the dashboard at launch; recover runs stop-and-withdraw from the banner down to zero, and
the banner steps aside once the progress screen is closed."""

import pytest

from rekt_tui.domain.session import SessionStatus
from rekt_tui.services.container import Services
from rekt_tui.services.models import OrderForm
from rekt_tui.services.orders import OrderService
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.screens.dashboard import DashboardScreen
from rekt_tui.tui.screens.recovery import RecoveryScreen
from rekt_tui.tui.screens.teardown import TeardownScreen
from rekt_tui.tui.stop_and_withdraw import RecoveryLoaded, TeardownEnded, TeardownProgress
from tests.tui.conftest import make_app, text_of
from tests.tui.live_app import distinct, live_settings, until
from tests.tui.test_order_entry import started_session

pytestmark = pytest.mark.slow


async def session_with_a_position(services: Services) -> str:
    lander = await started_session(services)
    await OrderService(lander).place(OrderForm(market="SOL-PERP", side="buy", size="0.2"))
    await lander.link.close()
    return lander.pubkey


async def test_recover_from_the_banner_runs_the_stop_to_zero(tmp_path, live, message_log):
    services = await Services.open(live_settings(tmp_path, live))
    pubkey = await session_with_a_position(services)
    app = make_app(services, reconcile_at_launch=True)
    try:
        async with app.run_test(size=(100, 30), message_hook=message_log) as pilot:
            await until(pilot, lambda: isinstance(app.screen, RecoveryScreen), "the recovery banner")
            assert "1 position" in text_of(app.screen) and "resume (u)" in text_of(app.screen)
            assert not app.check_action("stop_and_withdraw", ())  # recover is the way, from the banner
            await pilot.press("r")
            assert [m.pubkey for m in distinct(message_log, RecoveryScreen.Recover)] == [pubkey]
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("y")
            await until(pilot, lambda: distinct(message_log, TeardownEnded), "the stop to end", timeout=60)
            await until(pilot, lambda: len(distinct(message_log, RecoveryLoaded)) == 2, "reconciling again")
            assert not distinct(message_log, RecoveryLoaded)[-1].items[0].needs_recovery

            # The banner under the progress screen stays put until the progress screen is closed.
            assert [type(s) for s in app.screen_stack[1:]] == [RecoveryScreen, TeardownScreen]
            steps = [m.event.step.value for m in distinct(message_log, TeardownProgress) if m.event.step]
            assert {"close_positions", "withdraw", "archive"} <= set(steps)
            assert "archived" in text_of(app.screen.query_one("#teardown-outcome"))
            assert "Drift $0.00" in text_of(app.screen.query_one("#teardown-dialog"))
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the banner to step aside")

            [session] = await services.registry.list_sessions(cluster="localnet")
            assert session.status is SessionStatus.ARCHIVED
            assert not app.check_action("buy", ())
            await pilot.pause(0.5)  # the archived session's data, as the dashboard shows it
            assert not app.dashboard.check_action("collateral", ())  # nothing goes into an archived session
    finally:
        await services.close()
