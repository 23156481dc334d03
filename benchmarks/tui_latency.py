"""Notification-to-repaint latency: from the localnet sending an oracle notification over a
websocket to the first frame of the HUD showing it, at full feed.

The localnet runs in a child process (its own core, as for a user) with market life
(makers, keeper) and the oracle random walk at fast slots, so every slot brings a new,
unique SOL price on both paths the dashboard follows:

- book: the DLOB websocket's `orderbook_perp_0` message, whose `oracle` the HUD's Oracle
  cell shows;
- account: the Solana websocket's `accountNotification` of the SOL oracle, which the
  gateway turns into an `AccountSnapshot` for the HUD's account figures (the followed
  session holds a small SOL-PERP position, so its oracle is watched).

The child stamps the moment it hands each message to the socket (first send of each
price). The real `RektApp`, headless, follows that session in this process; every frame
it puts out is stamped, after also encoding it for a terminal, and a HUD cell rendered in
that frame records which price it showed. Both clocks are CLOCK_MONOTONIC. Latency is
frame stamp minus send stamp for every price that reached the screen; prices the repaint
pacer coalesced away are counted, not timed, and so are those that changed no figure on
screen (there is no frame to wait for: see `Probe.visible`).

The same run then feeds a bare Textual app (benchmarks/bare_textual.py: one Static per
path, the same two sockets) for the same time, and prints the cockpit's latency as a
multiple of that floor.

Run: python -m benchmarks.tui_latency [--seconds 30] [--slot-ms 50]
"""

import argparse
import asyncio
import base64
import itertools
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import rekt_tui.tui  # noqa: F401, I001 - first: the cockpit's frame rate cap holds for every app of the run
from benchmarks.bare_textual import run_bare
from benchmarks.stats import percentile, report

BUDGET = "budget p99 ≤ 16.7 ms (docs/PERFORMANCE.md: one frame at 60 Hz)"
SIZE = (160, 48)
SOL, USDC = 10**9, 10**6
BOOK_PREFIX = '{"channel":"orderbook_perp_0"'
ACCOUNT_PREFIX = '{"jsonrpc":"2.0","method":"accountNotification"'
REPO = Path(__file__).resolve().parents[1]
POSITION_SOL = 5  # SOL long: about $0.03 of uPnL a typical 50 ms oracle step
SETTLE_S = 3.0  # the app's start-up work (session data, footer bindings) is over by then


def cpu_seconds(child_pid: int) -> tuple[float, float]:
    """CPU time so far of this process and of the child (user + system)."""
    fields = Path(f"/proc/{child_pid}/stat").read_text().rsplit(") ", 1)[1].split()
    return time.process_time(), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The localnet child: serve, stamp every oracle value it sends, write the stamps on SIGTERM.


def stamp_sends(sent: dict[str, dict[tuple[int, int], float]], oracle_header: bytes) -> None:
    """Wrap the server-side websocket send so each (slot, oracle price)'s first send is timed."""
    from aiohttp import web

    from rekt_localnet.oracle_layout import oracle_fields

    price_field = oracle_fields().price
    original = web.WebSocketResponse.send_str

    async def send_str(self, data: str, compress: int | None = None) -> None:
        at = time.monotonic()
        await original(self, data, compress)
        if data.startswith(BOOK_PREFIX):
            book = json.loads(json.loads(data)["data"])
            sent["book"].setdefault((book["slot"], book["oracle"]), at)
        elif data.startswith(ACCOUNT_PREFIX):
            result = json.loads(data)["params"]["result"]
            encoded, encoding = result["value"]["data"]
            raw = base64.b64decode(encoded) if encoding == "base64" else b""
            if raw.startswith(oracle_header):
                sent["account"].setdefault((result["context"]["slot"], price_field.read(raw)), at)

    web.WebSocketResponse.send_str = send_str


async def serve_stamped(data_dir: Path, stamps: Path, slot_ms: int) -> None:
    from rekt_localnet.genesis import oracle_address
    from tests.localnet.conftest import start_localnet

    sent: dict[str, dict[tuple[int, int], float]] = {"book": {}, "account": {}}
    handle = await start_localnet(data_dir, slot_ms=slot_ms, market_life=True, oracle_walk=True)
    stamp_sends(sent, handle.ledger.get(oracle_address("SOL")).data[:8])
    names = ("rpc_url", "ws_url", "dlob_url", "dlob_ws_url")
    print(json.dumps({name: getattr(handle, name) for name in names}), flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await handle.stop()
    stamps.write_text(json.dumps({path: [[*key, at] for key, at in values.items()] for path, values in sent.items()}))


# The cockpit side.

# The HUD cells whose figures follow the account (the SOL oracle moves them through the position).
ACCOUNT_CELLS = {"collateral", "equity", "upnl", "free_collateral", "margin_usage", "health"}

# When the app's handler got it, when the repaint pacer applied it, and its first frame.
STAGES = ("handled", "applied", "shown")


def sol_oracle(snapshot) -> int | None:
    return next((p.oracle_price for p in snapshot.positions if p.symbol == "SOL-PERP"), None)


class Probe:
    """When each (slot, oracle price) of each path reached each stage, first time only."""

    def __init__(self) -> None:
        self.stamps = {path: {stage: {} for stage in STAGES} for path in ("book", "account")}
        self.rendered: dict[str, set[tuple[int, int]]] = {"book": set(), "account": set()}
        # Updates that changed a figure on screen. One that changes none has nothing to paint: an
        # oracle step too small for the cents the HUD shows, or a book whose oracle price the same
        # slot's account snapshot put on screen first (the Oracle cell shows the newer of the two).
        self.visible: dict[str, set[tuple[int, int]]] = {"book": set(), "account": set()}
        self.frames = 0
        self.updates_ms: list[float] = []  # Textual's screen updates: layout, render, encode

    def stamp(self, path: str, stage: str, slot: int, price: int | None) -> None:
        if price is not None:
            self.stamps[path][stage].setdefault((slot, price), time.monotonic())

    def frame(self, at: float) -> None:
        self.frames += 1
        for path, keys in self.rendered.items():
            for key in keys:
                self.stamps[path]["shown"].setdefault(key, at)
            keys.clear()


def instrument(probe: Probe):
    """A `RektApp` whose frames are stamped, and a dashboard that says what it applies and renders."""
    from textual._compositor import CompositorUpdate
    from textual.screen import Screen

    from rekt_tui.tui.app import RektApp
    from rekt_tui.tui.live import LiveFeeds
    from rekt_tui.tui.screens.dashboard import DashboardScreen
    from rekt_tui.tui.widgets.hud import CELL_LINES, Hud

    original_render_line, original_show = Hud.render_line, Hud._show_readings

    def seen(hud: Hud, keys, into: dict[str, set[tuple[int, int]]]) -> None:
        """Which (slot, price) of each path the cells `keys` show."""
        book = hud.screen.book
        if "oracle" in keys and book is not None and hud.oracle_price == book.oracle_price:
            into["book"].add((book.slot, book.oracle_price))
        if keys & ACCOUNT_CELLS and hud.account is not None and (price := sol_oracle(hud.account)) is not None:
            into["account"].add((hud.account.slot, price))

    def render_line(hud: Hud, y: int):
        top = y - y % CELL_LINES  # a cell's line is drawn in this frame: its value is on screen with it
        seen(hud, {key for key, region in hud.cell_regions().items() if region.y == top}, probe.rendered)
        return original_render_line(hud, y)

    def show(hud: Hud) -> None:
        was = {key: hud.reading(key).value for key in ACCOUNT_CELLS | {"oracle"}}
        original_show(hud)
        seen(hud, {key for key, value in was.items() if hud.reading(key).value != value}, probe.visible)

    Hud.render_line, Hud._show_readings = render_line, show
    watch_book, watch_account = DashboardScreen.watch_book, DashboardScreen.watch_account

    def applied_book(screen: DashboardScreen, book) -> None:
        if book is not None:
            probe.stamp("book", "applied", book.slot, book.oracle_price)
        watch_book(screen, book)

    def applied_account(screen: DashboardScreen, account) -> None:
        if account is not None:
            probe.stamp("account", "applied", account.slot, sol_oracle(account))
        watch_account(screen, account)

    DashboardScreen.watch_book, DashboardScreen.watch_account = applied_book, applied_account
    original_update = Screen._on_timer_update

    def timed_update(screen: Screen) -> None:
        begun = time.monotonic()
        original_update(screen)
        probe.updates_ms.append((time.monotonic() - begun) * 1000)

    Screen._on_timer_update = timed_update

    book_updated, account_updated = LiveFeeds.book_updated, LiveFeeds.account_updated

    def handled_book(feeds: LiveFeeds, book) -> None:
        probe.stamp("book", "handled", book.slot, book.oracle_price)
        book_updated(feeds, book)

    def handled_account(feeds: LiveFeeds, snapshot) -> None:
        probe.stamp("account", "handled", snapshot.slot, sol_oracle(snapshot))
        account_updated(feeds, snapshot)

    # The live feeds hand the newest of each kind to the dashboard, which paces what they bring.
    LiveFeeds.book_updated, LiveFeeds.account_updated = handled_book, handled_account

    class StampedApp(RektApp):
        def _display(self, screen, renderable) -> None:
            super()._display(screen, renderable)
            if renderable is None or self._batch_count:
                return
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(self.console)  # what a terminal driver would write
            probe.frame(time.monotonic())

    return StampedApp


async def hold_sol_position(services) -> None:
    """A started session (1,100 USDC in) that also holds SOL long, so its oracle is watched.

    The position is large enough that most oracle steps move a figure the HUD shows in cents
    (uPnL, equity): a step that moves none has nothing to paint, and is counted, not timed."""
    from rekt_tui.domain.records import Direction, OrderType
    from rekt_tui.drift import order_actions
    from rekt_tui.services.session import SessionService
    from tests.tui.test_order_entry import started_session

    lander = await started_session(services)
    try:
        setup = SessionService(lander)
        await setup.airdrop("1000", "USDC")
        await setup.deposit("1000", "USDC")
        gateway = lander.link.gateway
        oracle = next(p for p in gateway.markets() if p.symbol == "SOL-PERP").oracle_price
        order = order_actions.place_perp_order(
            lander.link.venue.drift_client, market_index=0, direction=Direction.LONG, order_type=OrderType.MARKET,
            base_amount=POSITION_SOL * SOL, user_order_id=1, auction_start_price=oracle // 100 * 100,
            auction_end_price=oracle * 101 // 100 // 100 * 100, auction_duration=5,
        )  # fmt: skip
        await lander.land("place_order", {}, lander.link.venue.transaction(order))
        deadline = time.monotonic() + 30
        while not (gateway.snapshot() and gateway.snapshot().positions):
            assert time.monotonic() < deadline, "the SOL-PERP order never filled"
            await asyncio.sleep(0.05)
    finally:
        await lander.link.close()


async def start_child(tmp: Path, slot_ms: int) -> tuple[asyncio.subprocess.Process, SimpleNamespace, Path]:
    stamps = tmp / "stamps.json"
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.tui_latency", "--serve", str(tmp / "data"), str(stamps), str(slot_ms),
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    line = await asyncio.wait_for(child.stdout.readline(), 60)
    if not line:
        raise RuntimeError("the localnet child did not start")
    return child, SimpleNamespace(**json.loads(line)), stamps


async def measure(seconds: float, slot_ms: int) -> None:
    from rekt_tui.services.container import Services
    from tests.tui.live_app import live_settings

    probe = Probe()
    app_class = instrument(probe)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        child, endpoints, stamps = await start_child(tmp, slot_ms)
        try:
            services = await Services.open(live_settings(tmp, endpoints))
            try:
                await hold_sol_position(services)
                app = app_class(services=services, reconcile_at_launch=False)
                async with app.run_test(size=SIZE) as pilot:
                    deadline = time.monotonic() + 60
                    while not all(probe.stamps[path]["shown"] for path in ("book", "account")):
                        assert time.monotonic() < deadline, "the HUD never showed both feeds"
                        await pilot.pause(0.1)
                    await asyncio.sleep(SETTLE_S)
                    started, frames, cpu = time.monotonic(), probe.frames, cpu_seconds(child.pid)
                    probe.updates_ms.clear()
                    await asyncio.sleep(seconds)
                    ended, frames = time.monotonic(), probe.frames - frames
                    cpu = [(now - then) / (ended - started) for now, then in zip(cpu_seconds(child.pid), cpu)]
            finally:
                await services.close()
            # The floor, in the same run on the same localnet: a bare Textual app on the same streams.
            bare = Probe()
            bare_window = await run_bare(endpoints, bare, SIZE, SETTLE_S, seconds)
        finally:
            child.send_signal(signal.SIGTERM)
            await child.wait()
        stamped = json.loads(stamps.read_text())
        sent = {path: {(slot, price): at for slot, price, at in rows} for path, rows in stamped.items()}
    print(
        f"localnet child: {slot_ms} ms slots, makers + keeper + oracle walk; headless RektApp {SIZE}, "
        f"{seconds:g} s measured after {SETTLE_S:g} s of settling, {frames / (ended - started):.1f} frames/s"
    )
    print(f"CPU, share of one core: cockpit process {cpu[0]:.0%}, localnet child {cpu[1]:.0%} ({os.cpu_count()} cores)")
    report("Textual screen update (layout, render, encode)", probe.updates_ms, "one frame at 60 Hz: 16.7 ms")
    for path, label in LABELS.items():
        visible = probe.visible[path]
        timed = latencies(sent[path], probe.stamps[path], started, ended, near=sent["book"], visible=visible)
        if timed is None:
            print(f"{label:<50} nothing reached the screen")
            continue
        (total, *stages), sent_count = timed
        report(label, total, BUDGET)
        print(f"{'':<50} max {max(total):8.3f} ms   {len(total)} of {sent_count} prices sent were painted")
        every = latencies(sent[path], probe.stamps[path], started, ended, near=sent["book"])
        print(f"{'':<50} {every[1] - sent_count} more changed no HUD figure (nothing to paint): not timed")
        for (what, baseline), samples in zip(STAGE_LABELS, stages):
            report(f"  of which: {what}", samples, baseline)
        floor = latencies(sent[path], bare.stamps[path], *bare_window, near=sent["book"])
        if floor is None:
            print(f"{'  bare Textual app, same streams':<50} nothing reached the screen")
            continue
        (floor_total, *_), _ = floor
        report("  bare Textual app, same streams", floor_total, "the floor: one Static, no cockpit")
        ratio = percentile(total, 0.99) / max(percentile(floor_total, 0.99), 1e-3)
        median_ratio = statistics.median(total) / max(statistics.median(floor_total), 1e-3)
        print(f"{'  cockpit / bare':<50} p50 {median_ratio:7.2f}x    p99 {ratio:7.2f}x   (goal: p99 ≤ 1.5x)")


LABELS = {"book": "DLOB orderbook message -> HUD Oracle frame", "account": "oracle accountNotification -> HUD frame"}
STAGE_LABELS = (
    ("socket send -> app handler", "transport, decoding, gateway, queue"),
    ("app handler -> applied", "repaint pacer: the HUD at once (60 a second at most), the panels on a shared tick"),
    ("applied -> frame out", "Textual idle, layout, render"),
)


def latencies(sent: dict, stamps: dict, started: float, ended: float, near: dict, visible: set | None = None):
    """Per (slot, price) painted: total ms and each stage's ms; and how many SOL prices were sent.

    Only SOL prices count: the account path also carries the BTC and ETH oracles, told
    apart by being far from every SOL price the book carried. With `visible`, only those
    prices count (the cockpit's: an update that changed no figure on screen has no frame to
    wait for)."""
    low, high = min(price for _, price in near) / 2, max(price for _, price in near) * 2
    window = {key: at for key, at in sent.items() if started <= at < ended and low <= key[1] <= high}
    if visible is not None:
        window = {key: at for key, at in window.items() if key in visible}
    painted = [key for key in window if all(key in stamps[stage] for stage in STAGES)]
    if not painted:
        return None
    chain = (window, *(stamps[stage] for stage in STAGES))
    total = [(stamps["shown"][key] - window[key]) * 1000 for key in painted]
    stages = [[(later[key] - earlier[key]) * 1000 for key in painted] for earlier, later in itertools.pairwise(chain)]
    return (total, *stages), len(window)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to measure at full feed")
    parser.add_argument("--slot-ms", type=int, default=50, help="localnet slot time")
    parser.add_argument("--serve", nargs=3, metavar=("DATA_DIR", "STAMPS", "SLOT_MS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        data_dir, stamps, slot_ms = args.serve
        asyncio.run(serve_stamped(Path(data_dir), Path(stamps), int(slot_ms)))
    else:
        asyncio.run(measure(args.seconds, args.slot_ms))


if __name__ == "__main__":
    main()
