"""The cockpit runs the watcher with its live feed: an oracle move that breaks the loss
limit shows as a toast and an activity line, and the feeds keep the exit-only state the
HUD shows; a liquidation the keeper makes is read from the chain's record into a banner,
an activity line and the registry's alert log."""

from dataclasses import replace
from decimal import Decimal

import pytest
from textual.notifications import Notify

from rekt_tui.config.models import AlertSettings, LossLimitSettings
from rekt_tui.domain.records import Direction
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.tui.widgets.liquidation_banner import LiquidationBanner
from tests.services.teardown_setup import SOL, USDC, Book, funded_session
from tests.services.teardown_setup import services  # noqa: F401 - fixture: services on a live localnet
from tests.tui.conftest import make_app
from tests.tui.live_helpers import wait_until

pytestmark = pytest.mark.slow


async def test_a_breach_is_a_toast_an_activity_line_and_the_exit_only_state(services, message_log):
    link = await funded_session(services)  # 2 SOL long among its positions
    await services.registry.update_session(link.session.pubkey, drift_user=link.venue.account_address)
    await link.close()
    services.settings = replace(
        services.settings,
        alerts=AlertSettings(health_below="off", liquidation_distance_pct="off", fills=False, orders_ended=False),
        loss_limit=LossLimitSettings(unit="usd", session_max=Decimal(5), measured_from="peak"),
    )  # fmt: skip
    admin = JsonRpc(services.settings.profile.rpc_url)
    app = make_app(services)
    try:
        async with app.run_test(size=(160, 48), message_hook=message_log) as pilot:
            dashboard = app.screen
            await wait_until(pilot, lambda: dashboard.feeds.guard_state is not None
                             and dashboard.feeds.guard_state.equity is not None, what="the watcher's first reading")
            assert not dashboard.feeds.guard_state.exit_only
            await admin.call("rekt_setOraclePrice", ["SOL-PERP", "140"])
            await wait_until(pilot, lambda: dashboard.feeds.guard_state.exit_only, what="exit-only")
            await wait_until(pilot, lambda: any(e.text.startswith("Alert: ") for e in dashboard.activity),
                             what="the alert's activity line")
            assert any(e.text == "Loss limit breached: the session is exit-only." for e in dashboard.activity)
            [alert] = [e for e in dashboard.activity if e.text.startswith("Alert: ")]
            assert "session loss limit of $5 from its peak" in alert.text and alert.severity == "error"

            def toasts() -> list:
                notes = [n.notification for n in message_log.of_type(Notify)]
                return [note for note in notes if note.title == "Alert: loss limit"]

            # The activity line is written as the alert arrives; the toast is a message the app handles after.
            await wait_until(pilot, toasts, what="the alert's toast")
            [toast] = toasts()
            assert toast.severity == "error" and "exit-only" in toast.message
    finally:
        await admin.close()


async def test_a_recorded_liquidation_is_a_banner_an_activity_line_and_a_registry_entry(services, monkeypatch):
    from rekt_tui.services import watcher

    monkeypatch.setattr(watcher, "RECORDS_POLL_S", 0.5)
    long_16 = ((0, Direction.LONG, 16 * SOL, 150 * USDC, 100),)  # 4.8x on $500 at $150
    link = await funded_session(services, Book(usdc=500 * USDC, positions=long_16, resting=()))
    pubkey = link.session.pubkey
    await services.registry.update_session(pubkey, drift_user=link.venue.account_address)
    await link.close()
    services.settings = replace(
        services.settings,
        alerts=AlertSettings(health_below="off", liquidation_distance_pct="off", fills=False, orders_ended=False),
        loss_limit=LossLimitSettings(session_max="off"),
    )  # fmt: skip
    admin = JsonRpc(services.settings.profile.rpc_url)
    app = make_app(services)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            dashboard = app.screen
            banner = dashboard.query_one(LiquidationBanner)
            await wait_until(pilot, lambda: dashboard.feeds.guard_state is not None, what="the watcher")
            assert not banner.display
            await admin.call("rekt_setOraclePrice", ["SOL-PERP", "120"])  # below maintenance: the keeper acts
            await wait_until(pilot, lambda: banner.display, what="the liquidation banner")
            assert banner.liquidation.startswith("The chain recorded a liquidation of SOL-PERP: 16 SOL closed")
            assert any(e.text == f"Alert: {banner.liquidation}" for e in dashboard.activity)
            [logged] = [a for a in await services.registry.list_alerts(pubkey) if a.record is not None]
            assert logged.sentence == banner.liquidation
    finally:
        await admin.close()
