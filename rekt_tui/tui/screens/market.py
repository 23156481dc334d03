"""The market screen: the selected market's header, candles and trades tape, and the list
of every perp market to choose from. Public data only: it works before any session wallet
exists. Every `REFRESH_S` it reads everything again; a source that fails greys its panel
and says why in one sentence, keeping the last figures it had.

Trades also stream (the venue's `trades` websocket, a worker of this screen): fills are
gathered as they come and applied at a bounded rate, to the tape at most
`ui.max_repaint_hz` times a second and to the newest candle at most `CHART_REPAINT_HZ`
(a plot redraw costs far more than a text panel). While that socket is silent the tape
greys, says so, and shows the trades read over HTTP with everything else.
"""

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.message import Message
from textual.screen import Screen


from rekt_tui.domain.errors import RektError
from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.market_context import RESOLUTIONS, Candle, Trade, chart_levels, fold_trades, merge_trades
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.services.market_context import MarketContextService, MarketView
from rekt_tui.tui.repaint_pacer import RepaintPacer
from rekt_tui.tui.widgets.market_chart import SECONDS, MarketChart
from rekt_tui.tui.widgets.market_header import MarketHeader
from rekt_tui.tui.widgets.market_list import MarketList
from rekt_tui.tui.widgets.market_tape import MarketTape
from rekt_tui.tui.widgets.screen_footer import ScreenFooter

REFRESH_S = 2.0
TAPE_TRADES = 200  # fills kept for the tape, newest first
CHART_REPAINT_HZ = 4
TRADES_GROUP = "market-trades"
DEFAULT_REPAINT_HZ = 20  # when the screen is hosted by an app without settings (tests)


class TradeArrived(Message):
    """One fill from the stream; never replaced: each one is on the tape."""

    def __init__(self, market: str, trade: Trade) -> None:
        super().__init__()
        self.market = market
        self.trade = trade


class TradesFeedChanged(Message):
    def __init__(self, market: str, event: FeedEvent) -> None:
        super().__init__()
        self.market = market
        self.event = event


def silent_sentence(event: FeedEvent) -> str:
    why = f" ({event.reason})" if event.reason else ""
    return f"The live trades feed is {event.state.value}{why}; trades are read every {REFRESH_S:g} s meanwhile."


def _note_for(view: MarketView, path: str) -> str | None:
    return next((note for note in view.notes if path in note), None)


class MarketScreen(Screen[str]):
    """Dismissed with the market selected last, for the dashboard to follow."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="market.close"),
        Binding("slash", "filter", "Filter markets", id="market.filter"),
        Binding("t", "next_resolution", "Timeframe (1m 5m 15m 1h)", id="market.resolution"),
    ]
    AUTO_FOCUS = "#market-table"
    NARROW = 120  # columns below which the chart takes the full width above the list and tape
    DEFAULT_CSS = """
    MarketScreen .market-panel { border: round $primary-muted; border-subtitle-color: $text-muted; }
    MarketScreen .market-panel:focus-within { border: round $accent; }
    MarketScreen .market-panel.-stale { opacity: 60%; border: round $warning-muted; border-subtitle-color: $text-warning; }
    MarketScreen #market-body { height: 1fr; layout: grid; grid-size: 2; grid-columns: 1fr 66; grid-rows: 8 1fr; }
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
        self._live = live  # False: no timers and no stream (snapshots load once and hold still)
        self.trades: tuple[Trade, ...] = ()  # newest first: the stream's and HTTP's, merged
        self.candles: tuple[Candle, ...] = ()  # newest first, at `resolution`
        self.view: MarketView | None = None
        self.streaming = False  # the trades socket is connected: the tape is live
        self._stream_note: str | None = None  # why the trades socket is not live, once it was tried
        self._arrived: list[Trade] = []  # fills not yet on the tape
        self._unfolded: list[Trade] = []  # fills not yet in the candles
        self.pacer: RepaintPacer | None = None

    def compose(self) -> ComposeResult:
        yield MarketHeader()
        with Container(id="market-body"):
            yield MarketChart()
            yield MarketList()
            yield MarketTape(self.own_account)
        yield ScreenFooter()

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.NARROW, "-narrow")

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < self.NARROW, "-narrow")
        services = getattr(self.app, "services", None)
        hz = services.settings.ui.max_repaint_hz if services is not None else DEFAULT_REPAINT_HZ
        # One tick for the tape and the chart (the chart at its own, slower cadence): what is due lands in one frame.
        cadences = {"tape": hz, "chart": CHART_REPAINT_HZ}
        self.pacer = RepaintPacer(self.call_later, self.set_timer, max(hz, CHART_REPAINT_HZ), cadences)
        self.load()
        if self._live:
            self.stream_trades(self.market)
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

    @work(group=TRADES_GROUP, exclusive=True, exit_on_error=False)
    async def stream_trades(self, market: str) -> None:
        """Relay `market`'s fills as they happen; following another market cancels this one."""
        feed = self.service.trade_feed(market)
        if feed is None:
            return  # the venue streams no trades: the tape is read with everything else
        updates = feed.updates()
        feed.start()
        try:
            async for update in updates:
                if isinstance(update, FeedEvent):
                    self.post_message(TradesFeedChanged(market, update))
                else:
                    self.post_message(TradeArrived(market, update))
        finally:
            updates.close()
            await feed.close()

    def on_trade_arrived(self, message: TradeArrived) -> None:
        if message.market != self.market or self.pacer is None:
            return  # a late fill of the market just left
        self._arrived.append(message.trade)
        self._unfolded.append(message.trade)
        self.pacer.offer("tape", self._apply_trades)
        self.pacer.offer("chart", self._apply_candles)

    def on_trades_feed_changed(self, message: TradesFeedChanged) -> None:
        if message.market != self.market:
            return
        self.streaming = message.event.state is FeedState.CONNECTED
        if message.event.state is FeedState.STALE or (
            message.event.state is FeedState.RECONNECTING and self._stream_note is None
        ):  # the first reason holds until it is live again: "reconnecting" after "stale" says less
            self._stream_note = silent_sentence(message.event)
        elif self.streaming:
            self._stream_note = None
        self._show_tape()

    def _apply_trades(self) -> None:
        self.trades = merge_trades(self.trades, self._arrived, TAPE_TRADES)
        self._arrived.clear()
        self._show_tape()

    def _apply_candles(self) -> None:
        self.candles = fold_trades(self.candles, self._unfolded, SECONDS.get(self.resolution, 60))
        self._unfolded.clear()
        if self.view is not None and _note_for(self.view, "/candles") is None:
            self._show_chart(self.view)

    def _show_tape(self) -> None:
        note = self._stream_note
        if note is None and not self.streaming and self.view is not None:
            note = _note_for(self.view, "/trades")
        self.query_one(MarketTape).show(self.trades, note, live=self.streaming)

    def _show_chart(self, view: MarketView) -> None:
        levels = chart_levels(self.account(), view.selected.chain.market_index)
        chart = self.query_one(MarketChart)
        chart.show(view.selected.symbol, self.candles, view.resolution, _note_for(view, "/candles"), levels, view.now)

    def show(self, view: MarketView) -> None:
        if view.selected.symbol != self.market or view.resolution != self.resolution:
            return  # read before a switch: the next read brings the market now selected
        self.view = view
        self.query_one(MarketHeader).show(view.selected, view.now, view.notes)
        self.query_one(MarketList).show(view.markets)
        self.candles = view.candles  # the history; fills streamed from now on move its newest span
        self._show_chart(view)
        self.trades = merge_trades(self.trades, view.trades, TAPE_TRADES)
        self._show_tape()

    def failed(self, sentence: str) -> None:
        self.query_one(MarketHeader).failed(sentence)
        self.query_one(MarketList).failed()
        self.query_one(MarketChart).failed(sentence)
        self.query_one(MarketTape).failed(sentence)

    def on_market_list_selected(self, message: MarketList.Selected) -> None:
        if message.symbol == self.market:
            return
        self.market = message.symbol
        self.trades, self.candles, self.view, self.streaming, self._stream_note = (), (), None, False, None
        self._arrived.clear()
        self._unfolded.clear()
        self.load()
        if self._live:
            self.stream_trades(self.market)

    def action_filter(self) -> None:
        self.query_one(MarketList).start_filter()

    def action_next_resolution(self) -> None:
        self.resolution = RESOLUTIONS[(RESOLUTIONS.index(self.resolution) + 1) % len(RESOLUTIONS)]
        self.candles = ()
        self.load()

    def action_close(self) -> None:
        self.dismiss(self.market)
