"""The one object the adapter asks about Drift: figures, markets, and a live account stream.

driftpy's DriftClient keeps markets, oracles and State in a cache (its "cached"
subscription, read once over HTTP, opens no socket) and is what the actions module
signs with. One websocket of our own (`AccountStream`) watches everything a session
reads: the user account, State, every perp and spot market and their oracles. Each
notification is written into the caches driftpy reads: the user decoded at once (driftpy's
fast `decode_user`), State by the program's coder, a market by it when first read. The
notifications the socket hands over together (a slot moves the user, markets and oracles
at once) make one `AccountSnapshot`, computed once they are all stored: driftpy's margin
math costs milliseconds, and a snapshot per notification was most of the cockpit's feed
work with all but the last thrown away. One socket per session, however many markets it
follows.

A wallet may have no Drift account yet: the user account is watched anyway, and the
DriftUser appears when the account does (or on `refresh_user()` right after init).
"""

import asyncio
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from datetime import UTC, datetime

from anchorpy.error import AccountDoesNotExistError
from driftpy.account_subscription_config import AccountSubscriptionConfig
from driftpy.accounts import DataAndSlot
from driftpy.accounts.get_accounts import get_user_stats_account
from driftpy.accounts import get_perp_market_account_and_slot, get_spot_market_account_and_slot
from driftpy.accounts import get_state_account_and_slot
from driftpy.accounts.oracle import get_oracle_decode_fn, get_oracle_price_data_and_slot
from driftpy.addresses import get_state_public_key
from driftpy.decode.user import decode_user
from driftpy.oracles.oracle_id import get_oracle_id
from driftpy.types import get_ws_url
from solana.rpc.commitment import Confirmed
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.trading import AccountSnapshot, ExchangeStatus, MarketState
from rekt_tui.drift.client import Endpoint, build_client
from rekt_tui.drift.pubsub import AccountStream
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.drift.snapshots import account_snapshot, exchange_status, market_states
from rekt_tui.drift.streams import Backoff, Broadcast, OncePerTurn, Subscription
from rekt_tui.drift.session_user import SessionUser



class NotifiedAccount(DataAndSlot):
    """A market account as notified, decoded when driftpy first reads it.

    Every slot moves every market, and the program's coder takes about a millisecond a
    market; the margin math reads only the markets the account trades, so a market it
    does not trade is decoded when something asks for it, once per notification at most."""

    def __init__(self, slot: int, raw: bytes, decode: Callable[[bytes], object]) -> None:
        self.slot = slot
        self._raw: bytes | None = raw
        self._decode = decode
        self._decoded: object = None

    @property  # type: ignore[override]
    def data(self) -> object:
        if self._raw is not None:
            self._decoded, self._raw = self._decode(self._raw), None
        return self._decoded


class DriftGateway:
    """Drift for one authority: signing with `wallet`, or read-only with `authority` alone."""

    def __init__(
        self, endpoint: Endpoint, wallet: Keypair | None = None, *, authority: Pubkey | None = None,
        ws_url: str | None = None, stale_after_s: float = 10.0, backoff: Backoff = Backoff(),
    ) -> None:  # fmt: skip
        if wallet is None and authority is None:
            raise ValueError("a gateway needs a wallet to sign with or an authority to read")
        self._endpoint = endpoint
        self._wallet = wallet or Keypair()  # read-only: a throwaway that never signs
        self._authority = authority or self._wallet.pubkey()
        self._ws_url = ws_url or get_ws_url(endpoint.rpc_url)
        self._stale_after_s = stale_after_s
        self._backoff = backoff
        self._rpc: JsonRpc | None = None
        self._stream: AccountStream | None = None
        # Watched account (base58) -> what stores its notifications in driftpy's cache.
        self._stores: dict[str, list[Callable[[bytes, int], None]]] = {}
        self._snapshot: AccountSnapshot | None = None
        self._snapshots: Broadcast[AccountSnapshot] = Broadcast()
        self._events: Broadcast[FeedEvent] = Broadcast()
        self.drift_client = build_client(endpoint, self._wallet, authority=self._authority, subscription="cached")
        self.user_key = self.drift_client.get_user_account_public_key()
        # Notification received -> snapshot published, for the latest snapshots.
        self.latencies_ms: deque[float] = deque(maxlen=1000)
        # The notifications stored since the last snapshot: their newest slot, the first's arrival.
        self._due: tuple[int, float] | None = None
        self._publish_soon = OncePerTurn(self._publish_due)

    async def connect(self) -> None:
        """Read State, markets and oracles once (driftpy's cache), then open the one account
        stream on them and the user account, and wait until it is subscribed."""
        await self._load_cache()
        self._stores = self._cache_stores()
        self._rpc = JsonRpc(str(self._endpoint.rpc_url))
        self._stream = AccountStream(
            self._ws_url, self._rpc, self._on_account, self._events.publish,
            stale_after_s=self._stale_after_s, backoff=self._backoff,
        )  # fmt: skip
        await self._stream.open([str(self.user_key), *self._stores])

    async def close(self) -> None:
        self._publish_soon.cancel()
        if self._stream is not None:
            await self._stream.close()
        if self._rpc is not None:
            await self._rpc.close()
        await self.drift_client.account_subscriber.unsubscribe()
        await self.drift_client.connection.close()

    # Reading

    @property
    def authority(self) -> Pubkey:
        return self._authority

    @property
    def rpc(self) -> JsonRpc:
        """The node's JSON-RPC (history reads); only while connected."""
        if self._rpc is None:
            raise RuntimeError("the gateway is not connected")
        return self._rpc

    def snapshot(self) -> AccountSnapshot | None:
        """The latest account snapshot; None while the wallet has no Drift account."""
        return self._snapshot

    def markets(self) -> list[MarketState]:
        return market_states(self.drift_client)

    def exchange(self) -> ExchangeStatus:
        return exchange_status(self.drift_client.get_state_account())

    async def wallet_lamports(self) -> int:
        return (await self.drift_client.connection.get_balance(self._authority, Confirmed)).value

    async def user_stats_referrer(self) -> str | None:
        """The referrer recorded on the authority's UserStats, read from the chain now
        (driftpy's UserStats object is fetched once and never updated)."""
        try:
            stats = await get_user_stats_account(self.drift_client.program, self._authority)
        except AccountDoesNotExistError:
            return None
        return None if stats.referrer == Pubkey.default() else str(stats.referrer)

    async def refresh_user(self) -> AccountSnapshot | None:
        """Read the user account (and its oracles) now, e.g. right after initializing it,
        rather than wait for the notification. Call after `connect()`."""
        assert self._stream is not None, "refresh_user() needs connect() first"
        await self._stream.fetch([str(self.user_key), *self._stores])
        self._publish_soon.flush()
        return self._snapshot

    # Streams and staleness

    def snapshots(self) -> Subscription[AccountSnapshot]:
        """A new snapshot for the notifications (user account, markets, oracles) the socket hands over together."""
        return self._snapshots.subscribe()

    def feed_events(self) -> Subscription[FeedEvent]:
        """Connected / stale / reconnecting, for greying the account panels."""
        return self._events.subscribe()

    @property
    def feed_state(self) -> FeedState:
        return self._stream.state if self._stream is not None else FeedState.CONNECTING

    def age_s(self) -> float:
        """Seconds since the account websocket last proved itself current. Every slot
        notification counts: it says the subscriptions on that socket are live."""
        return self._stream.age_s() if self._stream is not None else float("inf")

    def is_stale(self, limit_s: float) -> bool:
        return self.feed_state is not FeedState.CONNECTED or self.age_s() > limit_s

    # Notifications

    async def _load_cache(self) -> None:
        """Fill driftpy's cache as its "cached" subscription would, in three concurrent
        rounds (State, then the markets, then their oracles) rather than one read at a time."""
        program, connection = self.drift_client.program, self.drift_client.connection
        state = await get_state_account_and_slot(program)
        if state is None:
            raise RektError(
                f"The program {program.program_id} has no State on this cluster; check the cluster's program_id "
                "and venue."
            )
        found_perps, found_spots = await asyncio.gather(
            asyncio.gather(*(get_perp_market_account_and_slot(program, i) for i in range(state.data.number_of_markets))),
            asyncio.gather(
                *(get_spot_market_account_and_slot(program, i) for i in range(state.data.number_of_spot_markets))
            ),
        )
        perps = [market for market in found_perps if market is not None]
        spots = [market for market in found_spots if market is not None]
        if len(perps) != len(found_perps) or len(spots) != len(found_spots):
            raise RektError("A market State lists is missing on this cluster; check the cluster's program_id.")
        sources = {
            get_oracle_id(key, source): (key, source)
            for key, source in [(m.data.amm.oracle, m.data.amm.oracle_source) for m in perps]
            + [(m.data.oracle, m.data.oracle_source) for m in spots]
        }  # fmt: skip
        prices = await asyncio.gather(
            *(get_oracle_price_data_and_slot(connection, key, source) for key, source in sources.values())
        )
        self.drift_client.account_subscriber.cache = {
            "state": state, "perp_markets": perps, "spot_markets": spots,
            "oracle_price_data": dict(zip(sources, prices)),
        }  # fmt: skip

    def _cache_stores(self) -> dict[str, list[Callable[[bytes, int], None]]]:
        """For State, every market and every market's oracle: how a notification of it is
        decoded and stored in driftpy's cache (an older slot never replaces a newer one)."""
        client = self.drift_client
        cache = client.account_subscriber.cache
        decode = client.program.coder.accounts.decode
        stores: dict[str, list[Callable[[bytes, int], None]]] = {}

        def add(key: Pubkey, store: Callable[[bytes, int], None]) -> None:
            if key != Pubkey.default():
                stores.setdefault(str(key), []).append(store)

        def state(data: bytes, slot: int) -> None:
            current = cache["state"]
            if current is None or slot >= current.slot:
                cache["state"] = DataAndSlot(slot, decode(data))

        def market(kind: str, position: int, data: bytes, slot: int) -> None:
            held = cache[kind]
            if slot >= held[position].slot:
                held[position] = NotifiedAccount(slot, data, decode)

        def oracle(oracle_id: str, decode_oracle: Callable[[bytes], object], data: bytes, slot: int) -> None:
            current = cache["oracle_price_data"].get(oracle_id)
            if current is None or slot >= current.slot:
                cache["oracle_price_data"][oracle_id] = DataAndSlot(slot, decode_oracle(data))

        add(get_state_public_key(client.program_id), state)
        for kind, markets in (("perp_markets", cache["perp_markets"]), ("spot_markets", cache["spot_markets"])):
            for position, loaded in enumerate(markets):
                account = loaded.data
                source_of = account.amm if kind == "perp_markets" else account
                key, source = source_of.oracle, source_of.oracle_source
                add(account.pubkey, partial(market, kind, position))
                add(key, partial(oracle, get_oracle_id(key, source), get_oracle_decode_fn(source)))
        return stores

    def _on_account(self, key: str, data: bytes | None, slot: int, received: float) -> None:
        if key == str(self.user_key):
            self._on_user(data, slot)
        elif data is not None:
            for store in self._stores.get(key, ()):
                store(data, slot)
        due = self._due
        self._due = (slot, received) if due is None else (max(due[0], slot), due[1])
        self._publish_soon.request()

    def _on_user(self, data: bytes | None, slot: int) -> None:
        users = self.drift_client.users
        if data is None:
            users.pop(self.drift_client.active_sub_account_id, None)
            self._snapshot = None
            return
        user = users.get(self.drift_client.active_sub_account_id)
        if user is None:
            # "cached": a DriftUser that holds what it is given and opens no socket of its own.
            user = SessionUser(self.drift_client, self.user_key, AccountSubscriptionConfig("cached"))
            users[self.drift_client.active_sub_account_id] = user
        user.account_subscriber.update_data(DataAndSlot(slot, decode_user(data)))

    def _publish_due(self) -> None:
        """One snapshot for every notification stored since the last one."""
        if self._due is not None:
            (slot, received), self._due = self._due, None
            self._publish(slot, received)

    def _publish(self, slot: int, received: float) -> None:
        user = self.drift_client.users.get(self.drift_client.active_sub_account_id)
        loaded = user.get_user_account_and_slot() if user is not None else None
        if user is None or loaded is None:
            return
        user_slot = loaded.slot
        self._snapshot = account_snapshot(user, max(slot, user_slot), datetime.now(UTC))
        self.latencies_ms.append((time.perf_counter() - received) * 1000)
        self._snapshots.publish(self._snapshot)
