"""The live dashboard against a real localnet: a funded session with three positions and two
resting orders, followed by the app's own feeds. The chain's figures reach the HUD and the
tables, an oracle move shows up, the book switches market, and a silent websocket greys the
panels (with `DataFreshness`) until it talks again.
"""

from dataclasses import replace

import pytest

from rekt_tui.config import UiSettings
from rekt_tui.domain.money import format_usd
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.tui.messages import AccountUpdated, DataFreshness, MarketSelected, SessionLinked
from rekt_tui.tui.widgets.hud import Hud
from tests.services.teardown_setup import funded_session, services  # noqa: F401 - fixture: services on a live localnet
from tests.tui.conftest import make_app, text_of
from tests.tui.live_helpers import wait_until

pytestmark = pytest.mark.slow

SIZE = (200, 60)  # wide enough for every position column the test reads


def cell(app, table_id: str, row: str, column: str) -> str:
    return app.screen.query_one(f"#{table_id}").get_cell(row, column)


async def test_dashboard_follows_the_chain_switches_market_and_greys_when_silent(services, message_log):
    link = await funded_session(services)
    await services.registry.update_session(link.session.pubkey, drift_user=link.venue.account_address)
    await link.close()
    services.settings = replace(services.settings, ui=UiSettings(stale_after_s=2, max_repaint_hz=20))
    admin = JsonRpc(services.settings.profile.rpc_url)
    app = make_app(services)
    try:
        async with app.run_test(size=SIZE, message_hook=message_log) as pilot:
            dashboard = app.screen
            await wait_until(pilot, lambda: dashboard.account is not None and dashboard.linked, what="account feed")
            assert message_log.of_type(SessionLinked) and message_log.of_type(AccountUpdated)
            account = dashboard.account
            await pilot.pause()
            assert {p.symbol for p in account.positions} == {"SOL-PERP", "BTC-PERP", "ETH-PERP"}
            assert app.screen.query_one(Hud).reading("collateral").value == format_usd(dashboard.account.total_collateral)
            assert cell(app, "positions-table", "SOL-PERP", "Side") == "long"
            assert cell(app, "positions-table", "BTC-PERP", "Side") == "short"
            assert app.screen.query_one("#orders-table").row_count == 2
            assert "Wallet: " in text_of(app.screen.query_one("#session"))
            # The wallet's own USDC, read from its token account, beside its SOL.
            assert dashboard.linked.usdc is not None
            assert f"USDC: {format_usd(dashboard.linked.usdc)}" in text_of(app.screen.query_one("#session"))

            await admin.call("rekt_setOraclePrice", ["SOL-PERP", "171"])
            await wait_until(
                pilot, lambda: cell(app, "positions-table", "SOL-PERP", "Oracle") == "$171.00", what="oracle move"
            )
            await wait_until(pilot, lambda: dashboard.book is not None and dashboard.book.bids, what="makers' book")
            assert dashboard.book.market_name == "SOL-PERP"
            await wait_until(pilot, lambda: app.screen.query_one(Hud).reading("oracle").value == "$171.00", what="HUD oracle")
            assert "spread" in text_of(app.screen.query_one("#orderbook"))

            await pilot.press("m")
            assert [m.market for m in message_log.of_type(MarketSelected)][-1] == "BTC-PERP"
            await wait_until(
                pilot, lambda: dashboard.book is not None and dashboard.book.market_name == "BTC-PERP", what="switch"
            )

            await admin.call("rekt_setFaults", [{"wsSilent": True}])
            await wait_until(pilot, lambda: app.screen.query_one("#positions").has_class("-stale"), what="stale")
            assert any(m.stale for m in message_log.of_type(DataFreshness))
            assert "STALE" in app.screen.query_one("#positions").border_subtitle
            await admin.call("rekt_setFaults", [{"wsSilent": False}])
            await wait_until(pilot, lambda: not app.screen.query_one("#positions").has_class("-stale"), what="fresh")
            # The book's socket heals on its own backoff; the whole picture is fresh once both have.
            await wait_until(pilot, lambda: not message_log.of_type(DataFreshness)[-1].stale, what="all fresh")
            assert "account feed reconnecting" in text_of(app.screen.query_one("#activity"))
            # Its end is said once, with how long the feed went without data.
            activity = lambda: text_of(app.screen.query_one("#activity"))  # noqa: E731
            await wait_until(pilot, lambda: "account feed live again after " in activity(), what="the outage's end")
    finally:
        await admin.close()
