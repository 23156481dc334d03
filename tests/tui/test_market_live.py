"""Market data with no wallet at all, on a live localnet with makers, keeper and order flow:
the cockpit's book and HUD oracle fill at launch, the market switch works before any
session, and the market screen's tape streams fills from the trades websocket, greying
with one sentence while that socket is silent and going live again after."""

import aiohttp
import pytest

from rekt_tui.services.container import Services
from rekt_tui.tui.formatting import hud_price
from rekt_tui.tui.screens.market import MarketScreen, TradeArrived
from rekt_tui.tui.widgets.market_header import MarketHeader
from rekt_tui.tui.widgets.market_tape import MarketTape
from rekt_tui.tui.widgets.hud import Hud
from tests.localnet.conftest import Rpc, start_localnet
from tests.tui.conftest import make_app, make_settings, text_of
from tests.tui.live_helpers import wait_until

pytestmark = pytest.mark.slow


async def test_launch_without_a_session_streams_the_book_and_the_tape(tmp_path, message_log):
    live = await start_localnet(
        tmp_path / "chain", slot_ms=50, market_life=True, order_flow=True, dlob_heartbeat_s=0.2
    )
    endpoints = {
        "rpc_url": live.rpc_url, "ws_url": live.ws_url, "dlob_url": live.dlob_url, "dlob_ws_url": live.dlob_ws_url,
    }  # fmt: skip
    settings = make_settings(tmp_path, clusters={"localnet": endpoints}, ui={"stale_after_s": 2})
    services = await Services.open(settings)
    rpc_session = None
    try:
        app = make_app(services, book_at_launch=True)
        async with app.run_test(size=(200, 60), message_hook=message_log) as pilot:
            dashboard = app.screen
            await wait_until(pilot, lambda: dashboard.book is not None and dashboard.book.bids, what="book at launch")
            assert not app.sessions.linked and dashboard.account is None  # no session, no wallet
            book = dashboard.book
            await wait_until(pilot, lambda: dashboard.panel_book is not None, what="book panel")
            assert "spread" in text_of(app.screen.query_one("#orderbook"))
            await wait_until(
                pilot, lambda: app.screen.query_one(Hud).reading("oracle").value == hud_price(dashboard.book.oracle_price),
                what="HUD oracle from the book",
            )  # fmt: skip
            assert book.market_name == "SOL-PERP"

            await pilot.press("m")  # the market switch needs no session either
            await wait_until(
                pilot, lambda: dashboard.book is not None and dashboard.book.market_name == "BTC-PERP", what="switch"
            )
            await pilot.press("m", "m")
            await wait_until(
                pilot, lambda: dashboard.book is not None and dashboard.book.market_name == "SOL-PERP", what="back"
            )

            await pilot.press("M")
            await wait_until(pilot, lambda: isinstance(app.screen, MarketScreen), what="market screen")
            screen = app.screen
            header, tape = screen.query_one(MarketHeader), screen.query_one(MarketTape)
            await wait_until(pilot, lambda: header.context is not None and screen.streaming, what="header and stream")
            assert header.context.symbol == "SOL-PERP" and tape.border_title == "Trades  live"

            def streamed_on_tape() -> bool:
                arrived = [m.trade for m in message_log.of_type(TradeArrived) if m.market == "SOL-PERP"]
                return bool(arrived) and arrived[-1] in screen.trades

            await wait_until(pilot, streamed_on_tape, what="a streamed fill on the tape")
            assert not tape.has_class("-stale")

            rpc_session = aiohttp.ClientSession()
            rpc = Rpc(rpc_session, live.rpc_url)
            await rpc.result("rekt_setFaults", {"wsSilent": True})
            await wait_until(pilot, lambda: tape.has_class("-stale"), what="silent tape greyed")
            assert tape.border_subtitle.startswith("The live trades feed is stale (nothing received for 2 s)")
            assert "\n" not in tape.border_subtitle and tape.border_title == "Trades"
            assert "SOL-PERP" in text_of(header)  # the rest of the screen goes on
            await rpc.result("rekt_clearFaults")
            await wait_until(pilot, lambda: not tape.has_class("-stale") and screen.streaming, what="live again")
            assert tape.border_title == "Trades  live"
    finally:
        if rpc_session is not None:
            await rpc_session.close()
        await services.close()
        await live.stop()
