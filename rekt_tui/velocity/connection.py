"""One session's link to the relaunched program: an RPC, one account socket, the chain view.

`connect()` reads the State, then every market it counts, then their oracles (three
`getMultipleAccounts` rounds), and opens one websocket (`AccountStream`, shared with the Drift
adapter) on all of them and the session's User. Every notification is decoded into the
`ChainView`; while the User exists, the notifications the socket hands over together make one
`AccountSnapshot` for the readers.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import replace
from datetime import UTC, datetime

from solders.pubkey import Pubkey

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.drift.pubsub import AccountStream
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.drift.streams import Backoff, Broadcast, OncePerTurn, Subscription
from rekt_tui.velocity.book_orders import BookOrder, BookOrdersUnread, fetch_user_orders
from rekt_tui.velocity.chain_view import ChainView
from rekt_tui.velocity.codec.binary import CodecError
from rekt_tui.velocity.codec.program import VelocityProgram
from rekt_tui.velocity.domain_values import account_snapshot

log = logging.getLogger(__name__)

BATCH = 100  # getMultipleAccounts takes at most 100 keys


async def read_accounts(rpc: JsonRpc, keys: list[str]) -> tuple[int, list[bytes | None]]:
    """(slot, data of each key or None) read at confirmed, a hundred keys per call."""
    slot, found = 0, []
    for start in range(0, len(keys), BATCH):
        answer = await rpc.call(
            "getMultipleAccounts", [keys[start : start + BATCH], {"encoding": "base64", "commitment": "confirmed"}]
        )
        slot = max(slot, int(answer["context"]["slot"]))
        for value in answer["value"]:
            found.append(base64.b64decode(value["data"][0]) if value else None)
    return slot, found


class VelocityConnection:
    """The chain as one session sees it; see the module docstring."""

    def __init__(self, program: VelocityProgram, authority: Pubkey, *, rpc_url: str, ws_url: str, dlob_url: str,
                 stale_after_s: float, backoff: Backoff = Backoff()) -> None:  # fmt: skip
        self.program = program
        self._dlob_url = dlob_url
        # The User's resting book orders (not in `User.orders`), from the order-book server,
        # read again whenever the User changes: every snapshot lists them with the triggers.
        self.book_orders: list[BookOrder] = []
        self.book_orders_unread: str | None = None  # why the last read failed: the list may be incomplete
        self._book_read: asyncio.Task[None] | None = None
        self.view = ChainView(program, authority)
        self.rpc = JsonRpc(rpc_url)
        self._ws_url = ws_url
        self._stale_after_s = stale_after_s
        self._backoff = backoff
        self._stream: AccountStream | None = None
        self._snapshot: AccountSnapshot | None = None
        self._snapshots: Broadcast[AccountSnapshot] = Broadcast()
        self._publish_soon = OncePerTurn(self._publish)
        self._events: Broadcast[FeedEvent] = Broadcast()

    async def connect(self) -> None:
        await self._load()
        self._stream = AccountStream(
            self._ws_url, self.rpc, self._on_account, self._events.publish,
            stale_after_s=self._stale_after_s, backoff=self._backoff,
        )  # fmt: skip
        await self._stream.open(self._watched())

    async def close(self) -> None:
        self._publish_soon.cancel()
        if self._book_read is not None:
            self._book_read.cancel()
        if self._stream is not None:
            await self._stream.close()
        await self.rpc.close()

    def _watched(self) -> list[str]:
        view = self.view
        keys = [str(view.user_key), str(view.escrow_key), str(self.program.pdas.state())]
        keys += [str(self.program.pdas.perp_market(i)) for i in view.perps]
        keys += [str(self.program.pdas.spot_market(i)) for i in view.spots]
        return keys + [key for key in view.oracle_data if key != str(Pubkey.default())]

    async def _load(self) -> None:
        pdas = self.program.pdas
        own = [str(pdas.state()), str(self.view.user_key), str(self.view.escrow_key)]
        slot, (state_data, user_data, escrow_data) = await read_accounts(self.rpc, own)
        if state_data is None:
            raise RektError(
                f"The program {self.program.program_id} has no State on this cluster; check the cluster's program_id "
                "and venue."
            )
        self._apply(str(pdas.state()), state_data, slot)
        state = self.view.state
        assert state is not None
        perps = [str(pdas.perp_market(i)) for i in range(state.number_of_markets)]
        spots = [str(pdas.spot_market(i)) for i in range(state.number_of_spot_markets)]
        slot, markets = await read_accounts(self.rpc, perps + spots)
        if any(data is None for data in markets):
            raise RektError("A market the State lists is missing on this cluster; check the cluster's program_id.")
        for key, data in zip(perps + spots, markets):
            self._apply(key, data, slot)
        oracles = [key for key in self.view.oracle_data if key != str(Pubkey.default())]
        slot, prices = await read_accounts(self.rpc, oracles)
        for key, data in zip(oracles, prices):
            self._apply(key, data, slot)
        self._apply(str(self.view.escrow_key), escrow_data, slot)
        self._apply(str(self.view.user_key), user_data, slot)

    def _apply(self, key: str, data: bytes | None, slot: int) -> bool:
        try:
            return self.view.apply(key, data, slot)
        except CodecError as error:
            log.warning("account %s does not decode: %s", key, error)
            return False

    def _on_account(self, key: str, data: bytes | None, slot: int, received: float) -> None:
        if not self._apply(key, data, slot):
            return
        if key == str(self.view.user_key) and data is not None and (self._book_read is None or self._book_read.done()):
            self._book_read = asyncio.ensure_future(self.read_book_orders())
        self._publish_soon.request()

    def _publish(self) -> None:
        if self.view.user is None:
            self._snapshot = None
            return
        try:
            snapshot = account_snapshot(self.view, datetime.now(UTC))
        except RektError as error:  # an oracle not read yet: the next notification brings it
            log.debug("no snapshot yet: %s", error)
            return
        self._snapshot = replace(snapshot, orders=snapshot.orders + tuple(b.order for b in self.book_orders),
                                 orders_unread=self.book_orders_unread)  # fmt: skip
        self._snapshots.publish(self._snapshot)

    async def read_book_orders(self) -> None:
        """The User's resting book orders now. When the server gives no answer the last list is
        kept and marked unread (`book_orders_unread`): never shown as complete."""
        if self.view.user is None:
            self.book_orders, self.book_orders_unread = [], None
            return
        try:
            found = await fetch_user_orders(self._dlob_url, str(self.view.user_key))
        except BookOrdersUnread as error:
            if self.book_orders_unread is None:
                self.book_orders_unread = str(error)
                self._publish()
            return
        if found != self.book_orders or self.book_orders_unread is not None:
            self.book_orders, self.book_orders_unread = found, None
            self._publish()

    # Reads

    def snapshot(self) -> AccountSnapshot | None:
        return self._snapshot

    async def refresh(self) -> AccountSnapshot | None:
        """Read the User and the oracles now, rather than wait for their notifications."""
        if self._stream is None:
            raise RuntimeError("refresh() needs connect() first")
        await self._stream.fetch(self._watched())
        self._publish_soon.flush()
        await self.read_book_orders()
        return self._snapshot

    async def lamports(self, address: Pubkey) -> int:
        answer = await self.rpc.call("getBalance", [str(address), {"commitment": "confirmed"}])
        return int(answer["value"])

    async def token_amount(self, account: Pubkey) -> int | None:
        """A token account's balance in its mint's units; None when it does not exist."""
        answer = await self.rpc.call("getAccountInfo", [str(account), {"encoding": "base64", "commitment": "confirmed"}])
        value = answer["value"]
        if not value:
            return None
        data = base64.b64decode(value["data"][0])
        return int.from_bytes(data[64:72], "little")  # SPL Token account: mint, owner, amount

    async def account_data(self, address: Pubkey) -> bytes | None:
        answer = await self.rpc.call("getAccountInfo", [str(address), {"encoding": "base64", "commitment": "confirmed"}])
        value = answer["value"]
        return base64.b64decode(value["data"][0]) if value else None

    async def rent(self, size: int) -> int:
        return int(await self.rpc.call("getMinimumBalanceForRentExemption", [size]))

    # Streams

    def snapshots(self) -> Subscription[AccountSnapshot]:
        return self._snapshots.subscribe()

    def feed_events(self) -> Subscription[FeedEvent]:
        return self._events.subscribe()

    @property
    def feed_state(self) -> FeedState:
        return self._stream.state if self._stream is not None else FeedState.CONNECTING

    def age_s(self) -> float:
        return self._stream.age_s() if self._stream is not None else float("inf")

    def is_stale(self, limit_s: float) -> bool:
        return self.feed_state is not FeedState.CONNECTED or self.age_s() > limit_s
