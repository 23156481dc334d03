"""Starting and stopping a localnet: the ledger, the slot clock, HTTP and websocket servers.

`serve` runs everything in the caller's event loop (tests, the app); `run_foreground` is
what `rekt-tui localnet` runs: it prints where the cluster listens and blocks until
SIGINT or SIGTERM. Both bind to loopback only.

The slot clock ticks on an absolute schedule so slots do not drift; when the process
falls behind (a suspended laptop) it resumes at the normal pace instead of producing a
burst of slots to catch up.
"""

import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from aiohttp import web

from rekt_localnet.errors import LocalnetError, LocalnetUsageError
from rekt_localnet.dlob import DlobServer
from rekt_localnet.faucet import Faucet
from rekt_localnet.faults import Faults
from rekt_localnet.genesis import GenesisConfig, build_genesis
from rekt_localnet.keys import USDC_MINT
from rekt_localnet.venues import VENUES, ledger_venue
from rekt_localnet.identity import LEDGER_DIR
from rekt_localnet.ledger import Ledger
from rekt_localnet.dlob.trades import trade_message
from rekt_localnet.market.keeper import Keeper, TradeFeed
from rekt_localnet.market.flow import Flow
from rekt_localnet.market.history import MarketHistory
from rekt_localnet.market.makers import Makers
from rekt_localnet.node import Node
from rekt_localnet.oracle_feed import OracleFeed
from rekt_localnet.oracle_replay import load_replay
from rekt_localnet.programs.ata import AssociatedTokenProgram
from rekt_localnet.programs.compute_budget import ComputeBudgetProgram
from rekt_localnet.programs.drift import DriftProgram
from rekt_localnet.programs.system import SystemProgram
from rekt_localnet.programs.token import TokenProgram
from rekt_localnet.rpc import http_app
from rekt_localnet.runtime import Runtime
from rekt_localnet.subscriptions import SubscriptionHub
from rekt_localnet.websocket import CLOSE_ALL, websocket_app

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
# In-flight HTTP requests get this long to finish when the localnet stops.
SHUTDOWN_SECONDS = 1.0


async def _produce_slots(
    ledger: Ledger, faucet: Faucet, slot_ms: int, market_steps: Sequence[Callable[[int], None]] = ()
) -> None:
    """Advance one slot per interval. `market_steps` run in order at the start of each slot:
    the oracle feed first, so the keeper that follows sees this slot's prices."""
    loop = asyncio.get_running_loop()
    interval = slot_ms / 1000
    next_at = loop.time() + interval
    while True:
        await asyncio.sleep(max(0.0, next_at - loop.time()))
        slot = ledger.advance_slot()
        for step in market_steps:
            step(slot)
        faucet.land_pending()
        ledger.commit()
        next_at += interval
        if next_at < loop.time():
            next_at = loop.time() + interval


class LocalnetHandle:
    """A running localnet. `ledger`, `oracle`, `faults` and `dlob` are there for in-process
    tests and benchmarks; `dlob_url` and `dlob_ws_url` are where the DLOB API listens."""

    def __init__(
        self,
        port: int,
        ledger: Ledger,
        clock: asyncio.Task,
        runners: list[web.AppRunner],
        *,
        dlob: DlobServer,
        dlob_port: int,
        oracle: OracleFeed,
        faults: Faults,
        history: MarketHistory,
    ) -> None:
        self.port = port
        self.ws_port = port + 1
        self.rpc_url = f"http://{HOST}:{port}"
        self.ws_url = f"ws://{HOST}:{self.ws_port}"
        self.dlob_port = dlob_port
        self.dlob_url = f"http://{HOST}:{dlob_port}"
        self.dlob_ws_url = f"ws://{HOST}:{dlob_port}/ws"
        self.dlob = dlob
        self.oracle = oracle
        self.faults = faults
        self.history = history
        # Market life, set by `serve`: the keeper, the makers and the feed of trades.
        self.keeper: Keeper | None = None
        self.makers: Makers | None = None
        self.trades: TradeFeed | None = None
        # The websocket subscriptions, for in-process tests that count them (read only).
        self.subscriptions: SubscriptionHub | None = None
        self.venue = "drift"
        self.ledger = ledger
        self._clock = clock
        self._runners = runners
        self._stopped = False

    async def wait(self) -> None:
        """Return when the localnet stops; raise if its slot clock failed."""
        try:
            await asyncio.shield(self._clock)
        except asyncio.CancelledError:
            if not self._clock.cancelled():
                raise

    async def stop(self) -> None:
        """Stop serving, close client sockets, and persist the ledger. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self._clock.cancel()
        try:
            await self._clock
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("the slot clock had failed")
        for runner in reversed(self._runners):
            await runner.cleanup()
        self.ledger.close()
        self.history.close()


async def _start_site(runner: web.AppRunner, port: int, what: str) -> None:
    await runner.setup()
    try:
        await web.TCPSite(runner, HOST, port).start()
    except OSError as error:
        await runner.cleanup()
        raise LocalnetError(
            f"cannot listen for {what} on {HOST}:{port} ({error.strerror}); stop what uses it or pick another port."
        ) from None


async def serve(
    data_dir: Path,
    *,
    port: int = 8899,
    slot_ms: int = 400,
    seed: int = 0,
    fresh: bool = False,
    dlob_port: int = 6969,
    faults: Sequence[str] = (),
    oracle_replay: Path | None = None,
    oracle_walk: bool = True,
    dlob_heartbeat_s: float = 5.0,
    market_life: bool = True,
    order_flow: bool = True,
    venue: str = "drift",
    activation_delay_slots: int = 0,
) -> LocalnetHandle:
    """Start a localnet in this event loop: JSON-RPC on `port`, websocket on `port + 1`,
    the DLOB API on `dlob_port` (0 picks a free one).

    The ledger lives in `data_dir/localnet` and survives restarts; `fresh` starts over
    from genesis. `seed` fixes genesis (a persisted ledger keeps its own) and the oracle
    walk. `faults` are `--fault` values (see `faults.py`); `oracle_replay` a price file
    (see `oracle_replay.py`); `oracle_walk=False` holds prices still unless replayed or set.
    `market_life=False` runs no makers and no keeper (a bare chain at genesis);
    `order_flow=False` keeps makers and keeper but no synthetic takers (nothing trades
    unless a client does). `venue` picks the program a fresh ledger runs ("drift", or
    "velocity": the relaunch, see `velocity_genesis`); a persisted ledger must match it.
    `activation_delay_slots`: on the relaunch, how long a resting order waits before takers
    can match it when its placer names no delay.
    """
    if not 0 < port < 65535:
        raise LocalnetUsageError(f"--port {port} is out of range; pick one between 1 and 65534.")
    if not 0 <= dlob_port < 65536 or dlob_port in (port, port + 1):
        raise LocalnetUsageError(f"DLOB port {dlob_port} is out of range or taken by JSON-RPC; pick another one.")
    if slot_ms <= 0:
        raise LocalnetUsageError(f"--slot-ms {slot_ms} must be a positive number of milliseconds.")
    if venue not in VENUES:
        raise LocalnetUsageError(f"--venue {venue!r} is not a venue the localnet runs; use drift or velocity.")
    if not 0 <= activation_delay_slots <= 10_000:
        raise LocalnetUsageError(f"--activation-delay-slots {activation_delay_slots} must be between 0 and 10000.")
    injected = Faults(seed)
    injected.apply_flags(list(faults))
    replay = load_replay(Path(oracle_replay), slot_ms) if oracle_replay is not None else None
    velocity = venue == "velocity"
    if velocity:  # imported only here: it parses the relaunch's IDL
        from rekt_localnet import velocity_venue
    genesis = velocity_venue.build_velocity_genesis if velocity else build_genesis
    ledger = Ledger.open(Path(data_dir) / LEDGER_DIR, lambda: genesis(GenesisConfig(seed=seed)), fresh=fresh)
    held = ledger_venue(ledger)
    if held != venue:
        ledger.close()
        raise LocalnetUsageError(
            f"the ledger in {Path(data_dir) / LEDGER_DIR} runs the {held} venue, not {venue}; "
            f"start it with --venue {held}, or add --fresh to start over on {venue}."
        )
    runtime = Runtime(
        ledger,
        [
            SystemProgram(), ComputeBudgetProgram(), TokenProgram(), AssociatedTokenProgram(),
            DriftProgram(refuses_everything=lambda: injected.paused_program),
            *(velocity_venue.programs(activation_delay_slots, lambda: injected.paused_program) if velocity else []),
        ],
    )  # fmt: skip
    faucet = Faucet(ledger, runtime, velocity_venue.QUOTE_MINT if velocity else USDC_MINT)
    keeper, makers, trades = Keeper(ledger, runtime), Makers(ledger, runtime, faucet.mint_usdc), TradeFeed()
    flow = Flow(ledger, runtime, faucet.mint_usdc, seed=seed)
    ledger.add_observer(trades)
    velocity_life = velocity_venue.MarketLife(ledger, runtime, faucet.mint_usdc) if velocity else None
    if velocity_life is not None:  # the relaunch's market life is its own keeper's and makers'
        if market_life:
            velocity_life.bootstrap()
    elif market_life:
        keeper.bootstrap()
        makers.bootstrap()
        if order_flow:
            flow.bootstrap()
    feed = velocity_venue.VelocityOracleFeed if velocity else OracleFeed
    oracle = feed(ledger, seed=seed, slot_ms=slot_ms, walk=oracle_walk, replay=replay)
    prices = (lambda: velocity_venue.perp_oracle_prices(ledger)) if velocity else None
    history = MarketHistory(Path(data_dir) / LEDGER_DIR, ledger, oracle_prices=prices)
    hub = SubscriptionHub(ledger)
    ledger.add_observer(injected.gate(hub))
    dlob = (velocity_venue.VelocityDlobServer if velocity else DlobServer)(
        ledger, injected, heartbeat_s=dlob_heartbeat_s, history=history
    )
    rpc_app = http_app(Node(ledger, faucet, oracle, injected, runtime))
    rpc_app.middlewares.append(injected.middleware(exempt_admin=True))
    ws_app = websocket_app(hub)
    injected.add_closer(ws_app[CLOSE_ALL])
    runners = [
        web.AppRunner(rpc_app, auto_decompress=False, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS),
        web.AppRunner(ws_app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS),
        web.AppRunner(dlob.app(), access_log=None, shutdown_timeout=SHUTDOWN_SECONDS),
    ]
    started: list[web.AppRunner] = []
    try:
        sites = zip(runners, (port, port + 1, dlob_port), ("JSON-RPC", "websocket", "the DLOB API"))
        for runner, site_port, what in sites:
            await _start_site(runner, site_port, what)
            started.append(runner)
    except BaseException:
        for runner in reversed(started):
            await runner.cleanup()
        ledger.close()
        history.close()
        raise
    life = [keeper.tick, makers.tick, *([flow.tick] if order_flow else [])] if market_life else []
    if velocity_life is not None:
        life = velocity_life.steps() if market_life else []
    steps = [oracle.tick, *life, history.tick]
    clock = asyncio.create_task(_produce_slots(ledger, faucet, slot_ms, steps), name="localnet slot clock")
    bound_dlob_port = runners[2].addresses[0][1]
    handle = LocalnetHandle(
        port, ledger, clock, started, dlob=dlob, dlob_port=bound_dlob_port, oracle=oracle, faults=injected,
        history=history,
    )
    handle.keeper, handle.makers, handle.trades = keeper, makers, trades
    handle.subscriptions = hub
    handle.venue = venue
    trades.subscribe(lambda fill: dlob.publish_trade(trade_message(fill)))
    return handle


def run_foreground(
    data_dir: Path,
    *,
    port: int = 8899,
    slot_ms: int = 400,
    seed: int = 0,
    fresh: bool = False,
    dlob_port: int = 6969,
    faults: Sequence[str] = (),
    oracle_replay: Path | None = None,
    venue: str = "drift",
    activation_delay_slots: int = 0,
) -> int:
    """Run a localnet until SIGINT or SIGTERM; print where it listens. Returns an exit code."""

    async def main() -> int:
        handle = await serve(
            data_dir,
            port=port,
            slot_ms=slot_ms,
            seed=seed,
            fresh=fresh,
            dlob_port=dlob_port,
            faults=faults,
            oracle_replay=oracle_replay,
            venue=venue,
            activation_delay_slots=activation_delay_slots,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        print(
            f"localnet ({venue}) running at slot {handle.ledger.slot}\n"
            f"  JSON-RPC   {handle.rpc_url}\n"
            f"  websocket  {handle.ws_url}\n"
            f"  DLOB API   {handle.dlob_url} (websocket {handle.dlob_ws_url})\n"
            f"  ledger     {Path(data_dir) / LEDGER_DIR}\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        waiter = asyncio.create_task(stop.wait())
        clock = asyncio.create_task(handle.wait())
        try:
            done, _ = await asyncio.wait({waiter, clock}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            await handle.stop()
        failure = clock.exception() if clock in done else None
        if failure is not None:
            print(f"localnet stopped: {failure}", file=sys.stderr)
            return 1
        print(f"localnet stopped at slot {handle.ledger.slot}", flush=True)
        return 0

    return asyncio.run(main())
