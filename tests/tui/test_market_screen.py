"""The market screen: on a live localnet with no session wallet (figures from the chain),
switching markets and candle widths by key, the cockpit's `M`, bad sources as one greyed
sentence, and snapshots at 80×24 and 200×60 from fixed data."""

import asyncio
import time

import aiohttp
import pytest
from textual.renderables.sparkline import Sparkline
from textual.widgets import DataTable

from rekt_tui.domain.market_context import Trade, base_text
from rekt_tui.domain.markets import format_price
from rekt_tui.domain.records import Direction
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.services.market_context import MarketContextService
from rekt_tui.tui.screens.market import MarketScreen, TradeArrived
from rekt_tui.tui.widgets.market_chart import MarketChart
from rekt_tui.tui.widgets.market_header import MarketHeader
from rekt_tui.tui.widgets.market_list import MarketList
from rekt_tui.tui.widgets.market_tape import MarketTape
from tests.localnet.conftest import Rpc, start_localnet
from tests.localnet.test_market_data import get, perp_market
from tests.services.garbage_server import garbage_server  # noqa: F401 (a fixture)
from tests.services.test_market_context import oracle_price, settings_for
from tests.tui.conftest import make_app, text_of
from tests.tui import live_data
from tests.tui.market_data import NOW, OWN, FixedMarketData, fixed_service
from tests.tui.market_host import MarketHost


async def settled(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the screen never showed it"
        await pilot.pause(0.1)


@pytest.mark.slow
async def test_live_market_screen_without_a_session(tmp_path):
    live = await start_localnet(tmp_path / "data", slot_ms=50, market_life=True, order_flow=True)
    settings = settings_for(tmp_path, rpc_url=live.rpc_url, ws_url=live.ws_url, dlob_url=live.dlob_url)
    try:
        async with aiohttp.ClientSession() as session:
            while not (await get(session, f"{live.dlob_url}/market/ETH-PERP/trades?limit=1"))[1]["records"]:
                await asyncio.sleep(0.2)
            await Rpc(session, live.rpc_url).result("rekt_pauseExchange", "all")  # the figures hold still
            app = MarketHost(MarketContextService.open(settings))
            async with app.run_test(size=(200, 60)) as pilot:
                header = app.screen.query_one(MarketHeader)
                await settled(pilot, lambda: header.context is not None)
                assert header.context.symbol == "SOL-PERP"
                table = app.screen.query_one("#market-table", DataTable)
                assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["SOL-PERP", "BTC-PERP", "ETH-PERP"]

                await pilot.press("slash", "e", "t", "h", "enter")
                await settled(pilot, lambda: header.context.symbol == "ETH-PERP")
                assert table.row_count == 3  # selecting closes the filter
                rpc = Rpc(session, live.rpc_url)
                amm = (await perp_market(rpc, 2)).amm
                shown = text_of(header)
                assert f"oracle {format_price(await oracle_price(rpc, amm.oracle))}" in shown
                long, short = base_text(amm.base_asset_amount_long), base_text(-amm.base_asset_amount_short)
                assert f"OI long {long} / short {short}" in shown
                tape = app.screen.query_one(MarketTape)
                _, records = await get(session, f"{live.dlob_url}/market/ETH-PERP/trades?limit=1")
                newest = records["records"][0]
                await settled(pilot, lambda: format_price(int(newest["price"])) in text_of(tape))

                chart = app.screen.query_one(MarketChart)
                await pilot.press("t")
                await settled(pilot, lambda: chart.border_title.startswith("ETH-PERP 5m"))
                assert not chart.has_class("-stale") and not header.has_class("-stale")
                await pilot.press("escape")
                await pilot.pause()
                assert app.chosen == ["ETH-PERP"]
    finally:
        await live.stop()


async def test_the_cockpit_opens_markets_with_m_before_any_session(services):
    # Nothing answers on the default localnet ports here: the screen says so, greyed, no traceback.
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, MarketScreen)
        header = app.screen.query_one(MarketHeader)
        await settled(pilot, lambda: header.has_class("-stale"))
        assert text_of(header).strip().startswith("http://127.0.0.1:8899") and "gave no usable perp markets" in text_of(header)
        assert app.screen.query_one(MarketTape).has_class("-stale")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MarketScreen)


async def test_garbage_sources_grey_their_panels_with_one_sentence(tmp_path, garbage_server):  # noqa: F811
    settings = settings_for(tmp_path, rpc_url=garbage_server, ws_url="ws://127.0.0.1:9", dlob_url=garbage_server)
    app = MarketHost(MarketContextService.open(settings))
    async with app.run_test(size=(80, 24)) as pilot:
        header = app.screen.query_one(MarketHeader)
        await settled(pilot, lambda: header.has_class("-stale"))
        assert header.border_subtitle.startswith(garbage_server) and "\n" not in header.border_subtitle


async def test_failing_sources_keep_the_rest_and_name_themselves():
    app = MarketHost(fixed_service(frozenset({"/trades", "/candles"})), live=False)
    async with app.run_test(size=(200, 60)) as pilot:
        header = app.screen.query_one(MarketHeader)
        await settled(pilot, lambda: header.context is not None)
        tape, chart = app.screen.query_one(MarketTape), app.screen.query_one(MarketChart)
        assert tape.has_class("-stale") and "/trades" in tape.border_subtitle
        assert chart.has_class("-stale") and "/candles" in chart.border_subtitle
        assert not header.has_class("-stale") and not app.screen.query_one(MarketList).has_class("-stale")


async def test_an_unknown_market_says_so_in_each_panel():
    app = MarketHost(fixed_service(), market="DOGE-PERP", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        header = app.screen.query_one(MarketHeader)
        await settled(pilot, lambda: header.has_class("-stale"))
        sentence = "There is no perp market 'DOGE-PERP' on this cluster; the markets are SOL-PERP, BTC-PERP, ETH-PERP."
        assert text_of(header).strip() == sentence and header.border_subtitle == sentence
        for panel in (MarketTape, MarketChart):
            widget = app.screen.query_one(panel)
            assert widget.has_class("-stale") and widget.border_subtitle == sentence


async def test_streamed_fills_repaint_the_tape_without_a_relayout():
    """The tape's height is its share of the panel, not its text's: a fill repaints it, and the
    screen is not laid out again for it (a relayout renders the whole screen)."""
    app = MarketHost(fixed_service())
    async with app.run_test(size=(120, 40)) as pilot:
        tape = app.screen.query_one(MarketTape)
        await settled(pilot, lambda: tape.shown)
        refreshes: list[bool] = []
        refresh = tape.refresh

        def recorded(*regions, **options):
            refreshes.append(options.get("layout", False))
            return refresh(*regions, **options)

        tape.refresh = recorded  # type: ignore[method-assign]
        fill = Trade(NOW + 5, 9_999, Direction.LONG, 151_234_500, 2 * 10**9, "Taker", "Maker", "sig-new")
        app.screen.post_message(TradeArrived("SOL-PERP", fill))
        await settled(pilot, lambda: format_price(fill.price) in text_of(tape))
        assert refreshes and not any(refreshes)


async def test_a_gap_is_named_and_a_history_that_stopped_greys_the_chart():
    app = MarketHost(fixed_service(), live=False)
    async with app.run_test(size=(200, 60)) as pilot:
        chart = app.screen.query_one(MarketChart)
        await settled(pilot, lambda: chart.drawn)
        assert chart.border_subtitle.startswith("The history has no candles from ") and not chart.has_class("-stale")
        table = app.screen.query_one("#market-table", DataTable)
        trend = table.get_row_at(0)[3]  # Textual's sparkline of the hourly closes
        assert isinstance(trend, Sparkline)
        assert tuple(trend.data) == app.screen.query_one(MarketList).markets[0].closes
        assert len(trend.data) >= 20

    later = MarketContextService(FixedMarketData(), clock=lambda: NOW + 3_600)  # an hour on, no candle since
    app = MarketHost(later, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.screen.query_one(MarketChart)
        await settled(pilot, lambda: chart.has_class("-stale"))
        assert chart.border_subtitle.endswith("UTC: the history stopped being written.") and chart.drawn


def opened(service: MarketContextService, own: str | None = None, account: AccountSnapshot | None = None):
    """Open the market screen in the cockpit (its real styles) on a fixed service, as `M` would."""

    async def run_before(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        pilot.app.push_screen(MarketScreen(service, "SOL-PERP", own, account=lambda: account, live=False))
        await pilot.pause(0.2)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.2)

    return run_before


def test_market_screen_200x60(snap_compare, services):
    # The session's SOL-PERP long: entry $150 drawn across the candles, liquidation and a far order named.
    run_before = opened(fixed_service(), OWN, live_data.account(sol_oracle=150 * 10**6))
    assert snap_compare(make_app(services), terminal_size=(200, 60), run_before=run_before)


def test_market_screen_80x24(snap_compare, services):
    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=opened(fixed_service(), OWN))


def test_market_screen_with_the_data_api_down_80x24(snap_compare, services):
    broken = frozenset({"/contracts", "/trades", "/candles", "/l2"})
    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=opened(fixed_service(broken)))
