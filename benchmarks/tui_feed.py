"""Sustained feed benchmark: 2,000 book/oracle updates per second into the headless app,
with and without the market screen's tape (200 trades/s) and live chart on top.

Half the updates are order books, half account snapshots with a moving oracle, handed to
the real `RektApp`'s dashboard (services on a scratch data dir, no chain) the way the live
workers hand them over (`LiveFeeds.relay_account`/`relay_book`). Three runs in one process:

1. rekt-tui, the dashboard alone: the book panel on screen;
2. rekt-tui with the market screen open over it (header, chart, tape, market list from
   fixed data read every 2 s), the same 2,000/s to the dashboard plus 200 fills/s posted to
   the screen as its trades worker posts them: the tape and the newest candle move live;
3. a naive app whose order book is a DataTable cleared and refilled for every book, each
   book a call through Textual's queue and each snapshot the `AccountUpdated` message the app
   posts, nothing coalesced: the pattern docs/PERFORMANCE.md rules out (the CPU baseline).

Each run reports process CPU time as a share of one core, panel repaints, the lag from the
last update posted to it being on screen, and notification-to-frame latency (p50/p99): from
posting a message to the first frame that shows it (a book on the book panel; a fill on the
tape, and in the chart's newest candle).

Run: python -m benchmarks.tui_feed [--seconds 5]
"""

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from typing import cast
from pathlib import Path

import rekt_tui.tui  # noqa: F401, I001 - first: the cockpit's frame rate cap holds for every app of the run
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from benchmarks.stats import percentile
from rekt_tui.config import load_settings
from rekt_tui.domain.market_context import Trade
from rekt_tui.domain.records import Direction
from rekt_tui.domain.orderbook import OrderBook
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.tui.screens.curtain import push_full_screen
from rekt_tui.services.container import Services
from rekt_tui.tui.app import RektApp
from rekt_tui.tui.book_ladder import BOOK_COLUMNS, book_cells
from rekt_tui.tui.live import BOOK_FEED
from rekt_tui.tui.messages import AccountUpdated
from rekt_tui.tui.screens.market import MarketScreen, TradeArrived
from tests.tui import live_data
from tests.tui.market_data import NOW, fixed_service

RATE_PER_S = 2_000
TRADES_PER_S = 200
SECONDS = 5.0
BATCH_S = 0.01  # post in 10 ms batches: 20 messages (and 2 fills) each
SIZE = (160, 48)


Update = AccountSnapshot | OrderBook


def stream(count: int):
    """Alternating books and snapshots, each a new whole state one tick (or one slot) on."""
    for tick in range(count):
        price = 150_000_000 + (tick % 400) * 10_000
        if tick % 2:
            yield live_data.account(slot=tick, sol_oracle=price)
        else:
            yield live_data.book(mid=price, slot=tick)


def fills(count: int) -> list[Trade]:
    """Fills one slot apart, a few per second of chain time, the price walking."""
    return [
        Trade(NOW + i // 4, 10_000 + i, Direction.LONG if i % 3 else Direction.SHORT,
              150_000_000 + (i % 97) * 10_000, 1_000_000_000 + i, "Taker", "Maker", f"sig{i}")
        for i in range(count)
    ]  # fmt: skip


class Frames:
    """Notification-to-frame latency: when each item was posted, and the first frame showing it.

    `shown` maps a probe name to a function returning the newest item on screen now (its
    key); at each frame, a key that changed since the last frame is measured against its post."""

    def __init__(self) -> None:
        self.posted: dict[object, float] = {}
        self.shown: dict[str, Callable[[], object]] = {}
        self.last: dict[str, object] = {}
        self.latency_ms: dict[str, list[float]] = {}
        self.count = 0  # frames written

    def frame(self) -> None:
        self.count += 1
        at = time.perf_counter()
        for name, newest in self.shown.items():
            key = newest()
            if key is not None and key != self.last.get(name) and key in self.posted:
                self.latency_ms.setdefault(name, []).append((at - self.posted[key]) * 1000)
            self.last[name] = key


class FramedApp(RektApp):
    """The real app; each frame it would write is rendered and reported to `frames`."""

    frames: Frames | None = None

    def _display(self, screen, renderable) -> None:
        from textual._compositor import CompositorUpdate

        super()._display(screen, renderable)
        if renderable is None or self._batch_count or self.frames is None:
            return
        if isinstance(renderable, CompositorUpdate):
            renderable.render_segments(self.console)  # what a terminal driver would write
        self.frames.frame()


class NaiveBook(App[None]):
    """The baseline: one DataTable rebuilt from scratch for every book."""

    def __init__(self) -> None:
        super().__init__()
        self.rebuilds = 0
        self.shown_slot = -1

    def compose(self) -> ComposeResult:
        yield DataTable(id="book")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*BOOK_COLUMNS)

    def show_book(self, book: OrderBook) -> None:
        table = self.query_one(DataTable)
        table.clear()
        deepest = book.bids[-1].cumulative_size
        table.add_rows(book_cells(level, deepest) for level in (*reversed(book.asks), *book.bids))
        self.rebuilds += 1
        self.shown_slot = book.slot


Setup = Callable[[App, Frames], None]


async def drive(app: App, shown_slot, seconds: float, *, market: Setup | None = None, frames: Frames | None = None):
    """Hand over the stream at RATE_PER_S (and, with `market`, fills at TRADES_PER_S to the market
    screen it opens); returns (CPU share of one core, lag to the last book in s, books posted,
    CPU ms per frame written while the stream ran and frames written a second, both 0 without `frames`)."""
    count = int(RATE_PER_S * seconds)
    per_batch = int(RATE_PER_S * BATCH_S)
    fills_per_batch = int(TRADES_PER_S * BATCH_S)
    updates = list(stream(count))
    trades = fills(count // per_batch * fills_per_batch) if market is not None else []
    last_book_slot = max(u.slot for u in updates if isinstance(u, OrderBook))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        if market is not None and frames is not None:
            market(app, frames)
            await pilot.pause(1.0)  # the screen's first read
        relay = workers_relay(app) if isinstance(app, RektApp) else naive_relay(cast(NaiveBook, app))
        screen = app.screen
        cpu0, wall0, frames0 = time.process_time(), time.perf_counter(), frames.count if frames else 0
        for batch, start in enumerate(range(0, count, per_batch)):
            for update in updates[start : start + per_batch]:
                if frames is not None and isinstance(update, OrderBook):
                    frames.posted[update.slot] = time.perf_counter()
                relay(update)
            for trade in trades[batch * fills_per_batch : (batch + 1) * fills_per_batch]:
                frames.posted[trade] = time.perf_counter()  # type: ignore[union-attr]
                screen.post_message(TradeArrived("SOL-PERP", trade))
            await asyncio.sleep(max(0.0, wall0 + (start + per_batch) / RATE_PER_S - time.perf_counter()))
        posted_at = time.perf_counter()
        while shown_slot() != last_book_slot:
            await asyncio.sleep(0.001)
        lag = time.perf_counter() - posted_at
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    written = frames.count - frames0 if frames else 0
    return cpu / wall, lag, count // 2, cpu * 1000 / written if written else 0.0, written / wall


def workers_relay(app: RektApp) -> Callable[[Update], None]:
    """Hand each update to the dashboard as the live workers do (`LiveFeeds.relay_*`, coalesced)."""
    feeds = app.dashboard.feeds

    def relay(update: Update) -> None:
        if isinstance(update, OrderBook):
            feeds.relay_book(update)
        else:
            feeds.relay_account(update)

    return relay


def naive_relay(app: NaiveBook) -> Callable[[Update], None]:
    """Hand each update to the naive app through Textual's queue, one dispatch each."""
    screen = app.screen

    def relay(update: Update) -> None:
        if isinstance(update, OrderBook):
            screen.call_later(app.show_book, update)
        else:
            screen.post_message(AccountUpdated(update))

    return relay


def open_market_screen(app: App, frames: Frames) -> None:
    """The market screen over the dashboard, on fixed data, its tape and chart probed."""
    screen = MarketScreen(fixed_service(), "SOL-PERP", live=True)
    push_full_screen(app, screen)  # as the dashboard opens it
    frames.shown["fill -> tape frame"] = lambda: screen.trades[0] if screen.trades else None
    folded: list[Trade | None] = [None]
    apply_candles = screen._apply_candles

    def applied() -> None:  # the newest fill the chart's candles now hold
        folded[0] = max(screen._unfolded, key=lambda t: t.slot, default=folded[0])
        apply_candles()

    screen._apply_candles = applied  # type: ignore[method-assign]
    frames.shown["fill -> chart frame"] = lambda: folded[0]


async def ours(seconds: float, with_market: bool) -> tuple[tuple[float, float, int, float, float], int, Frames]:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        config.touch()
        settings = load_settings(
            config_path=config, environ={}, flags={"data_dir": Path(tmp) / "data", "keystore_backend": "localnet-file"}
        )
        services = await Services.open(settings)
        try:
            app = FramedApp(services=services, reconcile_at_launch=False)
            app.dashboard.feeds.book_at_launch = False  # no DLOB here: the stream below is the book
            frames = app.frames = Frames()
            if not with_market:
                frames.shown["book -> book panel frame"] = lambda: (
                    app.dashboard.panel_book.slot if app.dashboard.panel_book else None
                )  # fmt: skip
            panel_slot = lambda: app.dashboard.panel_book.slot if app.dashboard.panel_book else -1  # noqa: E731
            if with_market:  # the covered dashboard holds its updates: the lag is to the newest handed to it
                panel_slot = handed_slot(app)
            result = await drive(
                app, panel_slot, seconds, market=open_market_screen if with_market else None, frames=frames
            )  # fmt: skip
            return result, app.dashboard.feeds.pacer.flushes[BOOK_FEED], frames
        finally:
            await services.close()


def handed_slot(app: RektApp) -> Callable[[], int]:
    """The slot of the newest book the dashboard's feeds took from their slots (painted or held)."""
    feeds, handed = app.dashboard.feeds, [-1]
    book_updated = feeds.book_updated

    def tracked(book: OrderBook) -> None:
        handed[0] = book.slot
        book_updated(book)

    feeds.book_updated = tracked  # type: ignore[method-assign]
    return lambda: handed[0]


def latency_text(frames: Frames) -> list[str]:
    return [
        f"{name} p50 {percentile(samples, 0.5):.1f} ms p99 {percentile(samples, 0.99):.1f} ms (n={len(samples)})"
        for name, samples in frames.latency_ms.items()
    ]


async def main(seconds: float) -> None:
    alone, alone_repaints, alone_frames = await ours(seconds, with_market=False)
    market, market_repaints, market_frames = await ours(seconds, with_market=True)
    naive = NaiveBook()
    baseline = await drive(naive, lambda: naive.shown_slot, seconds)
    books = f"{alone[2]} books, {alone[2]} account snapshots"
    print(f"{RATE_PER_S} updates/s for {seconds:g} s ({books}), headless {SIZE};")
    print(f"with the market screen: also {TRADES_PER_S} fills/s onto its tape and chart")
    print(f"{'':<40}{'CPU (one core)':>16}{'book repaints':>15}{'repaints/s':>12}{'final lag':>12}")
    for name, (cpu, lag, *_), repaints in (
        ("rekt-tui dashboard (coalesced, paced)", alone, alone_repaints),
        ("rekt-tui + market screen (tape, chart)", market, market_repaints),
        ("naive DataTable rebuild", baseline, naive.rebuilds),
    ):
        print(f"{name:<40}{cpu:>15.0%}{repaints:>15}{repaints / seconds:>12.1f}{lag * 1000:>10.1f}ms")
    print(f"CPU per frame written: dashboard alone {alone[3]:.1f} ms, with the market screen {market[3]:.1f} ms")
    print(f"frames written a second: dashboard alone {alone[4]:.1f}, with the market screen {market[4]:.1f}")
    print("notification -> frame, dashboard alone:      " + "; ".join(latency_text(alone_frames)))
    print("notification -> frame, with the market screen: " + "; ".join(latency_text(market_frames)))
    ratios = f"{alone[0] / baseline[0]:.2f} alone, {market[0] / baseline[0]:.2f} with the market screen"
    print(f"CPU ratio rekt-tui / naive: {ratios}")
    print(f"CPU cost of the market screen's panels: {market[0] / alone[0]:.2f}x the dashboard alone")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=SECONDS, help="how long each run posts its stream")
    asyncio.run(main(parser.parse_args().seconds))
