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
import time
from pathlib import Path

from aiohttp import web

from rekt_tui.domain.errors import RektError
from rekt_tui.localnet.faucet import Faucet
from rekt_tui.localnet.genesis import GenesisConfig, build_genesis
from rekt_tui.localnet.ledger import Ledger
from rekt_tui.localnet.node import Node
from rekt_tui.localnet.rpc import http_app
from rekt_tui.localnet.subscriptions import SubscriptionHub
from rekt_tui.localnet.websocket import websocket_app

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
LEDGER_DIR = "localnet"
# In-flight HTTP requests get this long to finish when the localnet stops.
SHUTDOWN_SECONDS = 1.0


class LocalnetError(RektError):
    """The localnet cannot start as asked."""


async def _produce_slots(ledger: Ledger, faucet: Faucet, slot_ms: int) -> None:
    loop = asyncio.get_running_loop()
    interval = slot_ms / 1000
    next_at = loop.time() + interval
    while True:
        await asyncio.sleep(max(0.0, next_at - loop.time()))
        ledger.advance_slot()
        faucet.land_pending(int(time.time()))
        ledger.commit()
        next_at += interval
        if next_at < loop.time():
            next_at = loop.time() + interval


class LocalnetHandle:
    """A running localnet. `ledger` is there for in-process tests and benchmarks."""

    def __init__(self, port: int, ledger: Ledger, clock: asyncio.Task, runners: list[web.AppRunner]) -> None:
        self.port = port
        self.ws_port = port + 1
        self.rpc_url = f"http://{HOST}:{port}"
        self.ws_url = f"ws://{HOST}:{self.ws_port}"
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


async def _start_site(runner: web.AppRunner, port: int, what: str) -> None:
    await runner.setup()
    try:
        await web.TCPSite(runner, HOST, port).start()
    except OSError as error:
        await runner.cleanup()
        raise LocalnetError(
            f"cannot listen for {what} on {HOST}:{port} ({error.strerror}); stop what uses it or pick another --port."
        ) from None


async def serve(
    data_dir: Path, *, port: int = 8899, slot_ms: int = 400, seed: int = 0, fresh: bool = False
) -> LocalnetHandle:
    """Start a localnet in this event loop: JSON-RPC on `port`, websocket on `port + 1`.

    The ledger lives in `data_dir/localnet` and survives restarts; `fresh` starts over
    from genesis. `seed` only matters at genesis: a persisted ledger keeps its own.
    """
    if not 0 < port < 65535:
        raise LocalnetError(f"--port {port} is out of range; pick one between 1 and 65534.")
    if slot_ms <= 0:
        raise LocalnetError(f"--slot-ms {slot_ms} must be a positive number of milliseconds.")
    ledger = Ledger.open(Path(data_dir) / LEDGER_DIR, lambda: build_genesis(GenesisConfig(seed=seed)), fresh=fresh)
    faucet = Faucet(ledger)
    hub = SubscriptionHub(ledger)
    ledger.add_observer(hub)
    runners = [
        web.AppRunner(
            http_app(Node(ledger, faucet)), auto_decompress=False, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS
        ),
        web.AppRunner(websocket_app(hub), access_log=None, shutdown_timeout=SHUTDOWN_SECONDS),
    ]
    started: list[web.AppRunner] = []
    try:
        for runner, site_port, what in zip(runners, (port, port + 1), ("JSON-RPC", "websocket")):
            await _start_site(runner, site_port, what)
            started.append(runner)
    except BaseException:
        for runner in reversed(started):
            await runner.cleanup()
        ledger.close()
        raise
    clock = asyncio.create_task(_produce_slots(ledger, faucet, slot_ms), name="localnet slot clock")
    return LocalnetHandle(port, ledger, clock, started)


def run_foreground(data_dir: Path, *, port: int = 8899, slot_ms: int = 400, seed: int = 0, fresh: bool = False) -> int:
    """Run a localnet until SIGINT or SIGTERM; print where it listens. Returns an exit code."""

    async def main() -> int:
        handle = await serve(data_dir, port=port, slot_ms=slot_ms, seed=seed, fresh=fresh)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        print(
            f"localnet running at slot {handle.ledger.slot}\n"
            f"  JSON-RPC   {handle.rpc_url}\n"
            f"  websocket  {handle.ws_url}\n"
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
