"""The cockpit on Drift's paused program: the localnet answers every Drift instruction with
Anchor's error 101 (as the original program has since 2026-04-01). A confirmed order ends in
the one sentence that names the pause and the relaunch (toast and activity line), and the
read-only views (HUD, positions, the account) keep following the chain."""

import pytest
from textual.notifications import Notify

from rekt_tui.domain.money import format_usd
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.drift.sender import RECHECK_S
from rekt_tui.services.container import Services
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.session_messages import OrderPlaced, OrderPlaceRequested, SessionOpened
from rekt_tui.tui.widgets.hud import Hud
from tests.tui.conftest import make_app
from tests.tui.live_app import distinct, live_settings, until
from tests.tui.test_order_entry import started_session, type_size

pytestmark = pytest.mark.slow

PAUSED = "Drift's original program has answered every instruction since it was paused after the 2026-04-01 exploit"


async def test_an_order_on_the_paused_program_says_so_and_the_views_keep_reading(tmp_path, live, message_log):
    services = await Services.open(live_settings(tmp_path, live))
    lander = await started_session(services)
    admin = JsonRpc(services.settings.profile.rpc_url)
    app = make_app(services)
    try:
        async with app.run_test(size=(120, 40), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the wallet")
            dashboard = app.screen
            await until(pilot, lambda: dashboard.account is not None, "the account feed")
            await admin.call("rekt_setFaults", [{"pausedProgram": True}])

            await until(pilot, lambda: app.check_action("buy", ()), "buy to apply")
            await pilot.press("b")
            await type_size(pilot, "0.1")
            await until(pilot, lambda: app.screen.check_action("place", ()), "a placeable plan")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the order confirmation")
            await pilot.press("y")
            await until(pilot, lambda: any(PAUSED in entry.text for entry in dashboard.activity), "the paused sentence")

            assert distinct(message_log, OrderPlaceRequested) and not distinct(message_log, OrderPlaced)
            [line] = [entry for entry in dashboard.activity if PAUSED in entry.text]
            assert line.severity == "error" and 'venue = "velocity"' in line.text and "\n" not in line.text
            [toast] = [n.notification for n in message_log.of_type(Notify) if PAUSED in n.notification.message]
            assert toast.severity == "error" and toast.message == line.text
            # Reads go on: the HUD still shows the account the chain holds.
            await lander.link.venue.refresh_account()
            snapshot = lander.link.venue.snapshot()
            await until(
                pilot, lambda: dashboard.query_one(Hud).reading("collateral").value == format_usd(snapshot.total_collateral),
                "the HUD's collateral",
            )
            assert dashboard.account.total_collateral == snapshot.total_collateral > 0
    finally:
        await admin.call("rekt_clearFaults", [])
        await admin.close()
        await lander.link.close()
        await services.close()


async def test_a_cockpit_opened_on_the_paused_program_says_so_before_any_order(tmp_path, live, message_log):
    """Opened on the paused program, the link's compatibility check (one unsigned simulation)
    meets Anchor's 101: the sentence is said at once, and order entry's preview refuses with it
    as the size is typed, before anything is confirmed or signed; once the pause ends, orders go."""
    services = await Services.open(live_settings(tmp_path, live))
    lander = await started_session(services)
    await lander.link.close()  # the cockpit opens its own link, and checks the program again
    admin = JsonRpc(services.settings.profile.rpc_url)
    await admin.call("rekt_setFaults", [{"pausedProgram": True}])
    app = make_app(services)
    try:
        async with app.run_test(size=(120, 40), message_hook=message_log) as pilot:
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the wallet")
            [opened] = distinct(message_log, SessionOpened)
            assert opened.refusal is not None and PAUSED in opened.refusal
            dashboard = app.screen
            await until(pilot, lambda: any(PAUSED in e.text for e in dashboard.activity), "the sentence at once")
            [toast] = [n.notification for n in message_log.of_type(Notify) if PAUSED in n.notification.message]
            assert toast.severity == "error" and toast.message == opened.refusal

            await until(pilot, lambda: app.check_action("buy", ()), "buy to apply")
            await pilot.press("b")
            await type_size(pilot, "0.1")
            refusals = app.screen.query_one("#order-refusals")
            await until(pilot, lambda: PAUSED in str(refusals.render()), "the preview's refusal")
            assert not app.screen.check_action("place", ())
            assert not distinct(message_log, OrderPlaceRequested)

            # The pause ends: the link asks again (at most every RECHECK_S) and the order may go.
            await admin.call("rekt_clearFaults", [])
            await pilot.pause(RECHECK_S)
            await type_size(pilot, "0.2")
            await until(pilot, lambda: app.screen.check_action("place", ()), "a placeable plan once resumed")
            assert PAUSED not in str(refusals.render())
    finally:
        await admin.call("rekt_clearFaults", [])
        await admin.close()
        await services.close()
