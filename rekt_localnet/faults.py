"""Network faults on demand, so the app's reliability paths can be tested for real.

- `http429`: answer this share of JSON-RPC (and DLOB HTTP) requests with HTTP 429, as a
  rate-limited RPC provider does; which ones is decided by a seeded generator.
- `latency`: hold every HTTP request this many milliseconds before answering.
- `ws-silent`: sockets stay open but go quiet, as on a half-dead connection: the RPC
  websocket sends no notifications (requests are still answered), the DLOB websocket
  sends nothing at all, heartbeats included. Clearing it resumes them; what happened
  meanwhile is not replayed.
- `paused-program`: the Drift program answers every instruction (the localnet's own
  keeper and makers included) with Anchor's error 101 `InstructionFallbackNotFound`, as
  Drift's original program has since it was paused after the 2026-04-01 exploit and every
  instruction was removed from it. Accounts stay readable. On a relaunch localnet
  (`--venue velocity`) the relaunched program refuses the same way.
- `history-lag`: getSignaturesForAddress leaves out the transactions of the last this many
  slots, as an RPC whose history index trails its bank does: an account's newest
  transactions are readable, and their effects visible, before its history lists them.
- closing all websockets (RPC and DLOB) is an action, not a state.

Admin calls (`rekt_*` methods) are never delayed or refused, so tests can always clear
what they set. Flags use `--fault http429=0.3`, `--fault latency=200`, `--fault ws-silent`,
`--fault paused-program`, `--fault history-lag=SLOTS`.
"""

import asyncio
import json
import random
from collections.abc import Awaitable, Callable

from aiohttp import web
from solders.pubkey import Pubkey

from rekt_localnet.errors import LocalnetUsageError
from rekt_localnet.account import Account
from rekt_localnet.ledger import LedgerObserver
from rekt_localnet.store import TransactionRecord

ADMIN_PREFIX = "rekt_"
TOO_MANY_REQUESTS = 429
MAX_LATENCY_MS = 60_000
MAX_HISTORY_LAG_SLOTS = 10_000
FLAG_SYNTAX = "use http429=SHARE (0 to 1), latency=MILLISECONDS, history-lag=SLOTS, ws-silent or paused-program"
KNOWN = ("http429", "latencyMs", "wsSilent", "pausedProgram", "historyLagSlots")


class FaultError(LocalnetUsageError):
    """A fault setting that cannot be used."""


def _share(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise FaultError(f"http429 must be a share between 0 and 1, not {value!r}.")
    return float(value)


def _latency(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LATENCY_MS:
        raise FaultError(f"latency must be a whole number of milliseconds from 0 to {MAX_LATENCY_MS}, not {value!r}.")
    return value


def _lag(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_HISTORY_LAG_SLOTS:
        raise FaultError(f"history lag must be a whole number of slots from 0 to {MAX_HISTORY_LAG_SLOTS}, not {value!r}.")
    return value


def _flag(changes: dict, name: str, current: bool) -> bool:
    value = changes.get(name, current)
    if not isinstance(value, bool):
        raise FaultError(f"{name} must be true or false, not {value!r}.")
    return value


class Faults:
    """The faults in force on one localnet, and the hooks that apply them."""

    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(f"rekt-tui faults {seed}")
        self.http429 = 0.0
        self.latency_ms = 0
        self.ws_silent = False
        self.paused_program = False
        self.history_lag_slots = 0
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self._tasks: set[asyncio.Task] = set()

    def state(self) -> dict:
        return {
            "http429": self.http429, "latencyMs": self.latency_ms, "wsSilent": self.ws_silent,
            "pausedProgram": self.paused_program, "historyLagSlots": self.history_lag_slots,
        }  # fmt: skip

    def update(self, changes: dict) -> None:
        """Apply `{"http429": 0.3, "latencyMs": 200, "wsSilent": true, "pausedProgram": true,
        "historyLagSlots": 20}` (any subset)."""
        unknown = set(changes) - set(KNOWN)
        if unknown:
            raise FaultError(f"unknown fault {sorted(unknown)[0]!r}; known: {', '.join(KNOWN)}.")
        http429 = _share(changes["http429"]) if "http429" in changes else self.http429
        latency = _latency(changes["latencyMs"]) if "latencyMs" in changes else self.latency_ms
        silent = _flag(changes, "wsSilent", self.ws_silent)
        paused = _flag(changes, "pausedProgram", self.paused_program)
        lag = _lag(changes["historyLagSlots"]) if "historyLagSlots" in changes else self.history_lag_slots
        self.http429, self.latency_ms, self.ws_silent, self.paused_program = http429, latency, silent, paused
        self.history_lag_slots = lag

    def clear(self) -> None:
        self.http429, self.latency_ms, self.ws_silent, self.paused_program = 0.0, 0, False, False
        self.history_lag_slots = 0

    def apply_flags(self, flags: list[str]) -> None:
        """Apply `--fault` values such as "http429=0.3", "latency=200", "ws-silent"."""
        for flag in flags:
            name, _, value = flag.strip().partition("=")
            try:
                if name == "ws-silent" and not value:
                    self.update({"wsSilent": True})
                elif name == "paused-program" and not value:
                    self.update({"pausedProgram": True})
                elif name == "http429" and value:
                    self.update({"http429": float(value)})
                elif name == "latency" and value:
                    self.update({"latencyMs": int(value)})
                elif name == "history-lag" and value:
                    self.update({"historyLagSlots": int(value)})
                else:
                    raise FaultError(f"--fault {flag!r} is not a fault; {FLAG_SYNTAX}.")
            except ValueError:
                raise FaultError(f"--fault {flag!r} has a bad value; {FLAG_SYNTAX}.") from None

    # Websockets

    def add_closer(self, closer: Callable[[], Awaitable[None]]) -> None:
        """Register how one websocket server closes all its sockets."""
        self._closers.append(closer)

    async def close_websockets(self) -> None:
        for closer in self._closers:
            await closer()

    def close_websockets_soon(self) -> None:
        """Close all websockets from synchronous code (an admin method), in the background."""
        task = asyncio.get_running_loop().create_task(self.close_websockets())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def gate(self, observer: LedgerObserver) -> LedgerObserver:
        """`observer`, deaf to the ledger while websockets are silent."""
        return _SilenceGate(self, observer)

    # HTTP

    def middleware(self, *, exempt_admin: bool):
        """An aiohttp middleware that adds latency and refuses a share of requests."""

        @web.middleware
        async def faults(request: web.Request, handler):
            if not (self.latency_ms or self.http429):
                return await handler(request)
            if exempt_admin and _is_admin(await request.read()):
                return await handler(request)
            if self.latency_ms:
                await asyncio.sleep(self.latency_ms / 1000)
            if self.http429 and self._random.random() < self.http429:
                body = {"jsonrpc": "2.0", "error": {"code": TOO_MANY_REQUESTS, "message": "Too many requests"}, "id": None}
                return web.json_response(body, status=TOO_MANY_REQUESTS, headers={"Retry-After": "1"})
            return await handler(request)

        return faults


def _is_admin(body: bytes) -> bool:
    """Whether a JSON-RPC body calls only admin methods (a batch counts if all do)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    calls = payload if isinstance(payload, list) else [payload]
    methods = [call.get("method") for call in calls if isinstance(call, dict)]
    return bool(methods) and len(methods) == len(calls) and all(
        isinstance(name, str) and name.startswith(ADMIN_PREFIX) for name in methods
    )


class _SilenceGate:
    """Forwards ledger events to one observer unless websockets are silenced."""

    def __init__(self, faults: Faults, observer: LedgerObserver) -> None:
        self._faults = faults
        self._observer = observer

    def on_slot(self, slot: int) -> None:
        if not self._faults.ws_silent:
            self._observer.on_slot(slot)

    def on_account(self, key: Pubkey, account: Account | None, slot: int) -> None:
        if not self._faults.ws_silent:
            self._observer.on_account(key, account, slot)

    def on_transaction(self, record: TransactionRecord) -> None:
        if not self._faults.ws_silent:
            self._observer.on_transaction(record)
