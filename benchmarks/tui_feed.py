"""Sustained feed benchmark: 2,000 book/oracle updates per second into the headless app.

Half the messages are order books, half account snapshots with a moving oracle, posted to
the real `RektApp`'s dashboard (services on a scratch data dir, no chain) the way the live
workers post them. The same stream then goes into a naive app whose order book is a DataTable cleared
and refilled on every message, the pattern docs/PERFORMANCE.md rules out. Each run reports
process CPU time as a share of one core, how many times the book was redrawn, and the lag
from the last update posted to it being on screen.

Run: python -m benchmarks.tui_feed
"""

import asyncio
import tempfile
import time
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from rekt_tui.config import load_settings
from rekt_tui.services.container import Services
from rekt_tui.tui.app import RektApp
from rekt_tui.tui.formatting import BOOK_COLUMNS, book_cells
from rekt_tui.tui.live import BOOK_FEED
from rekt_tui.tui.messages import AccountUpdated, BookUpdated
from tests.tui import live_data

RATE_PER_S = 2_000
SECONDS = 5.0
BATCH_S = 0.01  # post in 10 ms batches: 20 messages each
SIZE = (160, 48)


def stream(count: int):
    """Alternating books and snapshots, each a new whole state one tick (or one slot) on."""
    for tick in range(count):
        price = 150_000_000 + (tick % 400) * 10_000
        if tick % 2:
            yield AccountUpdated(live_data.account(slot=tick, sol_oracle=price))
        else:
            yield BookUpdated(live_data.book(mid=price, slot=tick))


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

    def on_book_updated(self, message: BookUpdated) -> None:
        table = self.query_one(DataTable)
        table.clear()
        book = message.book
        deepest = book.bids[-1].cumulative_size
        table.add_rows(book_cells(level, deepest) for level in (*reversed(book.asks), *book.bids))
        self.rebuilds += 1
        self.shown_slot = book.slot


async def drive(app: App, shown_slot) -> tuple[float, float, int]:
    """Post the stream at RATE_PER_S; returns (CPU share of one core, lag to the last book in s, books posted)."""
    count = int(RATE_PER_S * SECONDS)
    per_batch = int(RATE_PER_S * BATCH_S)
    messages = list(stream(count))
    last_book_slot = max(m.book.slot for m in messages if isinstance(m, BookUpdated))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for start in range(0, count, per_batch):
            for message in messages[start : start + per_batch]:
                app.screen.post_message(message)  # the live workers post to the dashboard
            await asyncio.sleep(max(0.0, wall0 + (start + per_batch) / RATE_PER_S - time.perf_counter()))
        posted_at = time.perf_counter()
        while shown_slot() != last_book_slot:
            await asyncio.sleep(0.001)
        lag = time.perf_counter() - posted_at
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return cpu / wall, lag, count // 2


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        config.touch()
        settings = load_settings(
            config_path=config, environ={}, flags={"data_dir": Path(tmp) / "data", "keystore_backend": "localnet-file"}
        )
        services = await Services.open(settings)
        try:
            app = RektApp(services=services, reconcile_at_launch=False)
            app.dashboard.feeds.book_at_launch = False  # no DLOB here: the stream below is the book
            ours = await drive(app, lambda: app.screen.panel_book.slot if app.screen.panel_book else -1)
            ours_repaints = app.dashboard.feeds.pacer.flushes[BOOK_FEED]
        finally:
            await services.close()
    naive = NaiveBook()
    baseline = await drive(naive, lambda: naive.shown_slot)
    print(f"{RATE_PER_S} updates/s for {SECONDS:g} s ({ours[2]} books, {ours[2]} account snapshots), headless {SIZE}")
    print(f"{'':<34}{'CPU (one core)':>16}{'panel repaints':>16}{'repaints/s':>12}{'final lag':>12}")
    for name, (cpu, lag, _), repaints in (
        ("rekt-tui (coalesced, paced)", ours, ours_repaints),
        ("naive DataTable rebuild", baseline, naive.rebuilds),
    ):
        print(f"{name:<34}{cpu:>15.0%}{repaints:>16}{repaints / SECONDS:>12.1f}{lag * 1000:>10.1f}ms")
    print(f"CPU ratio rekt-tui / naive: {ours[0] / baseline[0]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
