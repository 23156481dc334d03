"""The panels repaint on one shared tick and the HUD ahead of them: at the chain's pace each
update reaches the HUD at once and the panels after their gather; a burst of account snapshots
and books costs at most one frame per tick, and the last of each is what the screen shows."""

import asyncio
import contextlib
import math
import time

from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from rekt_tui.tui.live import FLOOD_REPAINT_HZ, HUD_REPAINT_HZ, PANEL_GATHER_S
from rekt_tui.tui.screens.curtain import push_full_screen
from rekt_tui.tui.widgets.hud import Hud
from rekt_tui.tui.widgets.orderbook import OrderbookPanel
from tests.tui import live_data
from tests.tui.conftest import make_app

USDC = live_data.USDC
BURST_S = 1.0
APART_S = 0.003  # a snapshot, then a book 3 ms later: slots of their own would flush apart
SIZE = (100, 30)  # small enough that frames stay cheap on a busy machine


def written_frames(app) -> list[float]:
    """The times of each screen update the terminal would be written, from now on."""
    frames: list[float] = []
    display = app._display

    def counted(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None:
            frames.append(time.monotonic())

    app._display = counted  # type: ignore[method-assign]
    return frames


@contextlib.asynccontextmanager
async def settled_cockpit(services):
    """The cockpit once its start-up work is done, and the frames it writes from then on."""
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.2)
        yield app, pilot, written_frames(app)


async def test_at_the_chains_pace_the_hud_shows_each_update_before_the_panels(services):
    async with settled_cockpit(services) as (app, pilot, frames):
        dashboard, feeds = app.dashboard, app.dashboard.feeds
        applied: list[tuple[str, int, float]] = []

        def noted(name: str):
            return lambda new: new is not None and applied.append((name, new.slot, time.monotonic()))

        for name in ("account", "panel_account", "book", "panel_book"):
            dashboard.watch(dashboard, name, noted(name), init=False)
        for n in range(3):  # three slots 100 ms apart, each a snapshot and the book 3 ms later
            slot, sent = 30_000 + n, time.monotonic()
            feeds.relay_account(live_data.account(slot=slot, sol_oracle=(150 + n) * USDC))
            await asyncio.sleep(APART_S)
            feeds.relay_book(live_data.book(mid=(150 + n) * USDC, slot=slot))
            await pilot.pause(0.1)
            seen = [(name, at) for name, at_slot, at in applied if at_slot == slot]
            assert [name for name, _ in seen] == ["account", "book", "panel_account", "panel_book"], seen
            assert all(at - sent >= PANEL_GATHER_S for name, at in seen if name.startswith("panel")), seen
        assert app.screen.query_one(Hud).reading("slot").value == "30,002"


async def test_a_burst_across_account_and_book_costs_at_most_one_frame_per_tick(services):
    async with settled_cockpit(services) as (app, pilot, frames):
        dashboard, feeds = app.dashboard, app.dashboard.feeds
        accounts = [live_data.account(slot=10_000 + 2 * n, sol_oracle=(150 + n % 50) * USDC) for n in range(1_000)]
        books = [live_data.book(mid=(150 + n % 50) * USDC, slot=10_001 + 2 * n) for n in range(1_000)]
        ticks_before, started, n = feeds.pacer.ticks, time.monotonic(), 0
        while time.monotonic() - started < BURST_S and n < len(books):
            feeds.relay_account(accounts[n])
            await asyncio.sleep(APART_S)
            feeds.relay_book(books[n])
            await asyncio.sleep(APART_S)
            n += 1
        duration = time.monotonic() - started
        await pilot.pause(0.3)  # the last tick lands
        ticks = feeds.pacer.ticks - ticks_before
        allowed = math.ceil(duration * HUD_REPAINT_HZ) + 1
        assert n > 10 and ticks <= allowed, f"{ticks} ticks for {n} updates in {duration:.2f} s (at most {allowed + 1})"
        in_burst = [at for at in frames if at <= started + duration + 1 / HUD_REPAINT_HZ]
        # One frame more may be another widget's own (a data age, the footer), not the feed's.
        assert len(in_burst) <= allowed + 1, f"{len(in_burst)} frames in {duration:.2f} s (at most {allowed + 1})"
        last_slot = books[n - 1].slot
        assert dashboard.account.slot == last_slot - 1 and dashboard.book.slot == last_slot
        assert dashboard.panel_account is dashboard.account and dashboard.panel_book is dashboard.book
        assert app.screen.query_one(Hud).reading("slot").value == f"{last_slot:,}"
        assert app.screen.query_one(OrderbookPanel).book is dashboard.book


async def test_a_flood_of_books_paints_at_the_flood_rate_not_the_huds(services):
    """Books every 3 ms: most can never be shown, so the tick slows to the flood's 12 a second."""
    async with settled_cockpit(services) as (app, pilot, frames):
        feeds, flood_hz = app.dashboard.feeds, min(services.settings.ui.max_repaint_hz, FLOOD_REPAINT_HZ)
        books = [live_data.book(mid=(150 + n % 50) * USDC, slot=20_000 + n) for n in range(1_000)]
        started, n, judged = time.monotonic(), 0, None
        while time.monotonic() - started < 1.5 and n < len(books):
            feeds.relay_book(books[n])
            n += 1
            await asyncio.sleep(APART_S)
            if judged is None and time.monotonic() - started >= 0.5:  # the pacer's first windows have passed
                judged = (feeds.pacer.ticks, time.monotonic())
        assert judged is not None and n > 100
        ticks, duration = feeds.pacer.ticks - judged[0], time.monotonic() - judged[1]
        allowed = math.ceil(duration * flood_hz) + 1
        assert flood_hz < HUD_REPAINT_HZ and ticks <= allowed, f"{ticks} ticks in {duration:.2f} s (at most {allowed})"


class Covering(Screen):
    """A full screen, as the market screen is: the dashboard under it is not seen."""

    def compose(self):
        yield Static("covering")


class Dialog(ModalScreen):
    """A dialog: the dashboard shows around it."""

    DEFAULT_CSS = "Dialog { align: center middle; } Dialog Static { width: 20; height: 3; }"

    def compose(self):
        yield Static("dialog")


async def test_under_a_full_screen_the_dashboard_applies_nothing_and_shows_the_newest_on_return(services):
    """Under a full screen (the market screen) the dashboard is not seen: its feeds' updates wait,
    the newest of each applied once it is back on top. Around a dialog it is seen, and goes on."""
    async with settled_cockpit(services) as (app, pilot, frames):
        dashboard, feeds = app.dashboard, app.dashboard.feeds

        async def feed(count: int, first_slot: int) -> None:
            for n in range(count):
                feeds.relay_account(live_data.account(slot=first_slot + 2 * n, sol_oracle=(150 + n % 9) * USDC))
                feeds.relay_book(live_data.book(mid=(150 + n % 9) * USDC, slot=first_slot + 2 * n + 1))
                await asyncio.sleep(0.01)
            await pilot.pause(0.2)

        push_full_screen(app, Covering())  # as the dashboard opens the market screen
        await pilot.pause(0.2)
        ticks, written = feeds.pacer.ticks, len(frames)
        await feed(30, 20_000)
        assert feeds.pacer.ticks == ticks and dashboard.account is None and dashboard.book is None
        assert feeds.latest_account.slot == 20_058  # what reads the account meanwhile (the market screen's chart)
        # Textual repaints the whole top screen while the screen just below it has dirty regions
        # (the dashboard's data ages tick): the curtain between leaves the still screen still.
        assert len(frames) - written <= 1, f"{len(frames) - written} frames of a screen that did not change"
        app.pop_screen()  # however the full screen goes, its curtain goes too
        await pilot.pause(0.3)
        assert app.screen is dashboard
        assert dashboard.account.slot == 20_058 and dashboard.book.slot == 20_059  # the newest, at once
        assert app.screen.query_one(Hud).reading("slot").value == "20,059"

        await app.push_screen(Dialog())  # the dashboard is seen around dialogs: it goes on updating
        await app.push_screen(Dialog())  # (a confirmation over order entry)
        await pilot.pause(0.2)
        ticks = feeds.pacer.ticks
        await feed(10, 30_000)
        assert feeds.pacer.ticks > ticks and dashboard.account.slot == 30_018
