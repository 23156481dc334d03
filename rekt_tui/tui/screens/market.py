"""The market screen: the selected market's header, candles and trades tape, and the list
of every perp market to choose from. Public data only: it works before any session wallet
exists. Every `REFRESH_S` it reads everything again; a source that fails greys its panel
and says why in one sentence, keeping the last figures it had.
"""

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Footer

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.market_context import RESOLUTIONS, chart_levels
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.services.market_context import MarketContextService, MarketView
from rekt_tui.tui.widgets.market_chart import MarketChart
from rekt_tui.tui.widgets.market_header import MarketHeader
from rekt_tui.tui.widgets.market_list import MarketList
from rekt_tui.tui.widgets.market_tape import MarketTape

REFRESH_S = 2.0


def _note_for(view: MarketView, path: str) -> str | None:
    return next((note for note in view.notes if path in note), None)


class MarketScreen(Screen[str]):
    """Dismissed with the market selected last, for the dashboard to follow."""

    BINDINGS = [
        Binding("escape", "close", "Back to the cockpit", id="market.close"),
        Binding("slash", "filter", "Filter markets", id="market.filter"),
        Binding("t", "next_resolution", "Chart 1m/5m/15m/1h", id="market.resolution"),
    ]
    AUTO_FOCUS = "#market-table"
    NARROW = 120  # columns below which the chart takes the full width above the list and tape
    DEFAULT_CSS = """
    MarketScreen .market-panel { border: round $primary-muted; border-subtitle-color: $text-muted; }
    MarketScreen .market-panel:focus-within { border: round $accent; }
    MarketScreen .market-panel.-stale { opacity: 60%; border: round $warning-muted; border-subtitle-color: $text-warning; }
    MarketScreen #market-body { height: 1fr; layout: grid; grid-size: 2; grid-columns: 1fr 52; grid-rows: 8 1fr; }
    MarketScreen #market-chart { row-span: 2; }
    MarketScreen.-narrow #market-body { grid-columns: 50 1fr; grid-rows: 1fr 8; }
    MarketScreen.-narrow #market-chart { row-span: 1; column-span: 2; }
    """

    def __init__(
        self, service: MarketContextService, market: str, own_account: str | None = None, *,
        account: Callable[[], AccountSnapshot | None] = lambda: None, live: bool = True,
    ) -> None:  # fmt: skip
        super().__init__(id="market")
        self.service = service
        self.market = market
        self.resolution = RESOLUTIONS[0]
        self.own_account = own_account
        self.account = account  # the session's latest account, for its entry, liquidation and orders
        self._live = live  # False: no timers (snapshots load once and hold still)

    def compose(self) -> ComposeResult:
        yield MarketHeader()
        with Container(id="market-body"):
            yield MarketChart()
            yield MarketList()
            yield MarketTape(self.own_account)
        yield Footer()

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.NARROW, "-narrow")

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < self.NARROW, "-narrow")
        self.load()
        if self._live:
            self.set_interval(REFRESH_S, self.load)
            self.set_interval(1.0, lambda: self.query_one(MarketHeader).tick(self.service.now()))

    async def on_unmount(self) -> None:
        await self.service.close()

    @work(group="market-data", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        try:
            view = await self.service.view(self.market, self.resolution)
        except RektError as error:
            self.failed(error.message)
            return
        self.show(view)

    def show(self, view: MarketView) -> None:
        self.query_one(MarketHeader).show(view.selected, view.now, view.notes)
        self.query_one(MarketList).show(view.markets)
        levels = chart_levels(self.account(), view.selected.chain.market_index)
        chart = self.query_one(MarketChart)
        chart.show(view.selected.symbol, view.candles, view.resolution, _note_for(view, "/candles"), levels)
        self.query_one(MarketTape).show(view.trades, _note_for(view, "/trades"))

    def failed(self, sentence: str) -> None:
        self.query_one(MarketHeader).failed(sentence)
        self.query_one(MarketList).failed()
        self.query_one(MarketChart).failed(sentence)
        self.query_one(MarketTape).failed(sentence)

    def on_market_list_selected(self, message: MarketList.Selected) -> None:
        self.market = message.symbol
        self.load()

    def action_filter(self) -> None:
        self.query_one(MarketList).start_filter()

    def action_next_resolution(self) -> None:
        self.resolution = RESOLUTIONS[(RESOLUTIONS.index(self.resolution) + 1) % len(RESOLUTIONS)]
        self.load()

    def action_close(self) -> None:
        self.dismiss(self.market)
