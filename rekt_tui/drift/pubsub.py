"""Our own Solana account websocket: one socket, callbacks, staleness, resync.

driftpy's websocket subscribers keep their data but tell nobody when it changes, never
notice a socket that went quiet, and forget what changed while they were disconnected.
This client subscribes to the accounts it is told to watch plus `slotSubscribe`, whose
notifications every slot are the heartbeat: no message at all for `stale_after_s`
means the socket is silent, so it is dropped and opened again. After every (re)connect
the watched accounts are read once over HTTP, because notifications missed while the
socket was down are never replayed.

Reads over HTTP and notifications race: an answer to an older read can arrive after a
newer notification (or a newer read). Each account keeps the slot it was last seen at,
and anything older is dropped, so the view never steps back in time (a deposit never
vanishes, a resting order never looks filled, a teardown never re-plans a done step).
Only the first read counts as data for the feed's age: a resync after a reconnect is
not proof that the live feed works again.
"""

import base64
import json
import logging
import time
from collections.abc import Callable, Iterable

import aiohttp

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.feed import FeedEvent
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.drift.streams import Backoff, ResilientSocket

log = logging.getLogger(__name__)

# (pubkey, account data or None when it does not exist, slot, perf_counter at receipt)
AccountHandler = Callable[[str, bytes | None, int, float], None]
CONFIG = {"encoding": "base64", "commitment": "confirmed"}
SLOTS = ""  # what the slot subscription is filed under among the account keys
CONNECT_TIMEOUT_S = 10.0


def _account_data(value: dict | None) -> bytes | None:
    if not value or not value.get("data"):
        return None
    return base64.b64decode(value["data"][0]) or None


class AccountStream(ResilientSocket):
    """Watches accounts over one RPC websocket until `close()`; see the module docstring."""

    def __init__(
        self, ws_url: str, rpc: JsonRpc, on_account: AccountHandler, on_state: Callable[[FeedEvent], None], *,
        stale_after_s: float = 10.0, backoff: Backoff = Backoff(),
    ) -> None:  # fmt: skip
        super().__init__(ws_url, "account", on_state, stale_after_s=stale_after_s, backoff=backoff)
        self._rpc = rpc
        self._on_account = on_account
        self._watched: set[str] = set()
        self._pending: dict[int, str] = {}  # request id -> pubkey
        self._subscriptions: dict[int, str] = {}  # subscription id -> pubkey
        self._next_id = 0
        self._slots: dict[str, int] = {}  # pubkey -> slot of the newest data handed over

    async def open(self, pubkeys: Iterable[str], timeout_s: float = CONNECT_TIMEOUT_S) -> None:
        """Watch `pubkeys`, start, and wait for the first subscription; one sentence if it never comes."""
        await self.watch(pubkeys)
        self.start()
        try:
            await self.wait_connected(timeout_s)
        except TimeoutError:
            raise RektError(
                f"could not subscribe to {self.url} within {timeout_s:g} s; check the cluster's ws_url "
                "and that the node answers websockets."
            ) from None

    async def watch(self, pubkeys: Iterable[str]) -> None:
        """Add accounts: subscribed now if connected (and read once), else on connect."""
        new = [key for key in pubkeys if key not in self._watched]
        self._watched.update(new)
        if new and self.socket is not None:
            for key in new:
                await self._subscribe(self.socket, "accountSubscribe", [key, CONFIG], key)
            await self.fetch(new)

    async def fetch(self, pubkeys: Iterable[str] | None = None) -> None:
        """Read accounts over HTTP and hand them over as if notified."""
        keys = sorted(self._watched if pubkeys is None else pubkeys)
        if not keys:
            return
        answer = await self._rpc.call("getMultipleAccounts", [keys, CONFIG])
        received = time.perf_counter()
        if self.last_data_at is None:
            self._data_arrived()
        # A node may answer from a slot still executing (the localnet does): the read proves
        # the account only as of the slot before, or a transaction landing later in that slot
        # would look already seen.
        proven = answer["context"]["slot"] - 1
        for key, value in zip(keys, answer["value"]):
            self._deliver(key, _account_data(value), proven, received)

    def _deliver(self, key: str, data: bytes | None, slot: int, received: float) -> None:
        """Hand over what is at least as new as what was handed over for `key` before."""
        if slot < self._slots.get(key, -1):
            log.debug("dropped %s at slot %s: already seen at slot %s", key, slot, self._slots[key])
            return
        self._slots[key] = slot
        self._on_account(key, data, slot, received)

    async def _opened(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        await self._subscribe(socket, "slotSubscribe", [], SLOTS)
        for key in sorted(self._watched):
            await self._subscribe(socket, "accountSubscribe", [key, CONFIG], key)
        await self.fetch()

    def _dropped(self) -> None:
        self._pending.clear()
        self._subscriptions.clear()

    async def _subscribe(self, socket: aiohttp.ClientWebSocketResponse, method: str, params: list, key: str) -> None:
        self._next_id += 1
        self._pending[self._next_id] = key
        await socket.send_str(json.dumps({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}))

    def _received(self, payload: dict, received: float) -> None:
        if payload.get("method") == "accountNotification":
            params = payload["params"]
            key = self._subscriptions.get(params["subscription"])
            if key:
                result = params["result"]
                self._deliver(key, _account_data(result["value"]), result["context"]["slot"], received)
        elif payload.get("id") in self._pending:
            key = self._pending.pop(payload["id"])
            if "result" in payload:
                self._subscriptions[payload["result"]] = key
            else:
                log.warning("the RPC websocket refused a subscription: %s", payload.get("error"))
