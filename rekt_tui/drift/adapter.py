"""Drift v2 over driftpy behind the venue seam (`services.venue.Venue`): one session's connection.

`DriftVenue` composes what one session needs: the gateway (driftpy's DriftClient plus
our one account socket), the transaction signer, and at most one order-book socket.
Everything it returns is one of our domain values, every action a `Transaction` for
our sender; driftpy, solana and solders types stay in this package.
"""

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from driftpy.constants.numeric_constants import QUOTE_SPOT_MARKET_INDEX
from driftpy.drift_client import DriftClient
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from rekt_tui.domain.collateral import WithdrawPreview
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.guards import Preview
from rekt_tui.domain.history import Ledger, RecordBatch, WalletFlows
from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.orders import OrderRequest
from rekt_tui.domain.records import BalanceSnapshot, Direction, MarketRecord
from rekt_tui.domain.trading import AccountSnapshot, ExchangeStatus, MarketState, Order
from rekt_tui.domain.venue import Holdings, VenueConfig
from rekt_tui.drift import actions, order_actions
from rekt_tui.drift.client import Endpoint
from rekt_tui.drift.dlob import OrderBookFeed, book_levels
from rekt_tui.drift.gateway import DriftGateway
from rekt_tui.drift.preview import preview_order
from rekt_tui.drift.records import HISTORY_BATCH, ledger_from_user, read_records
from rekt_tui.drift.session_reads import (
    account_rent_lamports,
    balance_snapshot,
    initialize_with_referrer,
    load_user_stats,
    market_records,
    perp_market_specs,
    user_slot,
)
from rekt_tui.drift.snapshots import SOL_SPOT_MARKET_INDEX
from rekt_tui.drift.streams import Subscription
from rekt_tui.drift.teardown_reads import read_holdings, spot_spec, top_bidders
from rekt_tui.drift.transactions import Instructions, TransactionSigner
from rekt_tui.drift.wallet_flows import read_wallet_flows
from rekt_tui.drift.withdraw_preview import preview_withdraw

log = logging.getLogger(__name__)

Build = Callable[[], list[Instruction] | Awaitable[list[Instruction]]]
Transaction = Callable[[str], Awaitable[bytes]]


class DriftVenue:
    """A session's Drift connection; implements `rekt_tui.services.venue.Venue`."""

    def __init__(self, gateway: DriftGateway, *, dlob_url: str, dlob_ws_url: str, stale_after_s: float,
                 can_sign: bool) -> None:  # fmt: skip
        self._gateway = gateway
        self._client = gateway.drift_client
        self._signer = TransactionSigner(self._client)
        self._dlob_url = dlob_url
        self._dlob_ws_url = dlob_ws_url
        self._stale_after_s = stale_after_s
        self._can_sign = can_sign
        self._book: OrderBookFeed | None = None

    @property
    def gateway(self) -> DriftGateway:
        """For tests and benchmarks of the adapter itself (latencies, driftpy's own figures)."""
        return self._gateway

    @property
    def drift_client(self) -> DriftClient:
        """For tests and benchmarks that build raw Drift instructions (see `transaction`)."""
        return self._client

    @property
    def authority(self) -> str:
        return str(self._gateway.authority)

    @property
    def account_address(self) -> str:
        return str(self._gateway.user_key)

    @property
    def fee(self) -> int:
        return self._signer.fee

    @property
    def can_sign(self) -> bool:
        return self._can_sign

    def program_error(self, code: int) -> tuple[str, str] | None:
        return None  # the sender's table is this program's

    async def close(self) -> None:
        book, self._book = self._book, None
        if book is not None:
            await book.close()
        await self._gateway.close()

    # Reads

    def snapshot(self) -> AccountSnapshot | None:
        return self._gateway.snapshot()

    def holdings(self) -> Holdings:
        return read_holdings(self._client)

    def account_slot(self) -> int | None:
        return user_slot(self._client)

    def markets(self) -> list[MarketState]:
        return self._gateway.markets()

    def market_specs(self) -> dict[str, MarketSpec]:
        return perp_market_specs(self._client)

    def market_records(self, cluster: str) -> list[MarketRecord]:
        return market_records(self._client, cluster, datetime.now(UTC))

    def spot_spec(self, market_index: int) -> MarketSpec:
        return spot_spec(self._client, market_index)

    def spot_oracle_price(self, market_index: int) -> int:
        oracle = self._client.get_oracle_price_data_for_spot_market(market_index)
        if oracle is None:
            raise RektError(f"No oracle price is known for spot market {market_index}; wait for market data.")
        return int(oracle.price)

    def spot_symbol(self, market_index: int) -> str:
        return actions.spot_symbol(self._client, market_index)

    def exchange(self) -> ExchangeStatus:
        return self._gateway.exchange()

    async def wallet_lamports(self) -> int:
        return await self._gateway.wallet_lamports()

    async def wallet_usdc(self) -> int:
        return await actions.wallet_usdc(self._client)

    async def referrer(self) -> str | None:
        return await self._gateway.user_stats_referrer()

    async def account_rent_lamports(self) -> int:
        return await account_rent_lamports(self._client)

    async def refresh_account(self) -> AccountSnapshot | None:
        return await self._gateway.refresh_user()

    async def records_since(self, cursor: str | None, *, max_transactions: int = HISTORY_BATCH) -> RecordBatch:
        user = str(self._gateway.user_key)
        program = str(self._client.program_id)
        return await read_records(self._gateway.rpc, user, program, cursor, max_transactions=max_transactions)

    async def wallet_flows(self) -> WalletFlows:
        return await read_wallet_flows(self._gateway.rpc, self.authority)

    async def ledger(self) -> Ledger | None:
        if await self._gateway.refresh_user() is None:
            return None
        loaded = self._client.get_user().get_user_account_and_slot()
        if loaded is None:
            return None
        quote_market = self._client.get_spot_market_account(QUOTE_SPOT_MARKET_INDEX)
        return ledger_from_user(loaded.data, quote_market, loaded.slot)

    async def load_fee_tier(self) -> None:
        await load_user_stats(self._client)

    def balance_record(self, session_pubkey: str, wallet_lamports: int) -> BalanceSnapshot | None:
        snapshot = self._gateway.snapshot()
        if snapshot is None:
            return None
        return balance_snapshot(self._client, session_pubkey, snapshot, wallet_lamports)

    def deposit_reserve_lamports(self, asset: str) -> int:
        """Lamports a deposit of `asset` needs in the wallet beyond its amount while it runs."""
        return actions.WRAPPED_SOL_ACCOUNT_LAMPORTS if asset == "SOL" else 0

    async def book_side(self, spec: MarketSpec, direction: Direction) -> tuple[tuple[int, int], ...]:
        return await book_levels(self._dlob_url, spec.symbol, direction)

    def preview(
        self, request: OrderRequest, *, auction_end_price: int | None, book: tuple[tuple[int, int], ...],
        replacing: Order | None = None,
    ) -> Preview:  # fmt: skip
        return preview_order(self._client, request, auction_end_price=auction_end_price, book=book, replacing=replacing)

    def preview_withdraw(self, market_index: int, amount: int) -> WithdrawPreview:
        return preview_withdraw(self._client, market_index, amount)

    # Streams and staleness

    def snapshots(self) -> Subscription[AccountSnapshot]:
        return self._gateway.snapshots()

    def feed_events(self) -> Subscription[FeedEvent]:
        return self._gateway.feed_events()

    @property
    def feed_state(self) -> FeedState:
        return self._gateway.feed_state

    def age_s(self) -> float:
        return self._gateway.age_s()

    def is_stale(self, limit_s: float) -> bool:
        return self._gateway.is_stale(limit_s)

    def order_book(self, market: str) -> OrderBookFeed:
        """The one book socket of this session: started on first use following `market`;
        later callers get the same feed and `switch` it."""
        if self._book is None:
            self._book = OrderBookFeed(self._dlob_ws_url, market, stale_after_s=self._stale_after_s)
            self._book.start()
        return self._book

    # Actions

    def initialize(self, referrer: str | None) -> Transaction:
        return self._lazy(lambda: initialize_with_referrer(self._client, referrer))

    def referral_setup(self) -> Transaction | None:
        return None  # Drift pays the referrer UserStats records

    def deposit(self, asset: str, amount: int) -> Transaction:
        actions.drift_user(self._client)  # one sentence when there is no account yet
        if asset == "SOL":
            return self._lazy(lambda: actions.deposit_sol(self._client, amount))
        return self._lazy(lambda: actions.deposit_usdc(self._client, amount))

    def withdraw(self, market_index: int, amount: int) -> Transaction:
        return self._lazy(lambda: actions.withdraw(self._client, market_index, amount, reduce_only=True))

    def settle_pnl(self, market_indexes: Sequence[int]) -> Transaction:
        return self._fixed([ix for index in market_indexes for ix in actions.settle_pnl(self._client, index)])

    def place_order(self, request: OrderRequest, auction: tuple[int, int, int] | None) -> Transaction:
        return self._fixed(order_actions.place_order(self._client, request, auction=auction))

    def place_orders(self, requests: Sequence[OrderRequest], auction: tuple[int, int, int] | None) -> Transaction:
        return self._fixed(order_actions.place_orders(self._client, requests, auction=auction))

    def modify_order(self, order_id: int, request: OrderRequest) -> Transaction:
        return self._fixed(order_actions.modify_order(self._client, order_id, request))

    def close_position(
        self, market_index: int, *, user_order_id: int, max_ts: int, auction: tuple[int, int, int],
        base_amount: int | None = None,
    ) -> Transaction:
        start, end, slots = auction
        return self._checked(
            lambda: order_actions.close_position(
                self._client, market_index, user_order_id=user_order_id, max_ts=max_ts,
                auction_start_price=start, auction_end_price=end, auction_duration=slots, base_amount=base_amount,
            )
        )  # fmt: skip

    def cancel_orders(self, order_ids: Sequence[int] | None) -> Transaction:
        if order_ids is None:
            return self._fixed(order_actions.cancel_all_orders(self._client))
        return self._fixed([ix for i in order_ids for ix in order_actions.cancel_order(self._client, i)])

    def sell_spot(self, market_index: int, base_amount: int, *, user_order_id: int, min_price: int) -> Transaction:
        if market_index != SOL_SPOT_MARKET_INDEX:
            raise RektError(f"Only SOL can be sold to repay a borrow here, not spot market {market_index}.")

        async def sale() -> list[Instruction]:
            makers = await top_bidders(self._dlob_url, market_index)
            return await order_actions.sell_sol_for_usdc(
                self._client, base_amount, user_order_id=user_order_id, min_price=min_price, makers=makers
            )

        return self._lazy(sale)

    async def taker_fills(self, signature: str) -> dict[int, int] | None:
        """Drift's market orders fill over their auction, after they land: the chain decides later."""
        return None

    def sweep(self, address: str) -> Transaction:
        destination = Pubkey.from_string(address)
        return self._lazy(lambda: actions.sweep_wallet(self._client, destination, fee=self._signer.fee))

    # Transactions for the sender

    def transaction(self, instructions: Instructions) -> Transaction:
        """Raw Drift instructions (or a builder of them) as a Transaction: for tests and benchmarks
        that drive the adapter's client directly."""
        return self._signer.builder(instructions)

    def _fixed(self, instructions: list[Instruction]) -> Transaction:
        """The same instructions at every (re)build: checked once, now."""
        return self._signer.builder(instructions)

    def _lazy(self, build: Build) -> Transaction:
        """Instructions built from the chain as it is when the sender builds (and rebuilds)."""
        return self._signer.builder(build)

    def _checked(self, build: Callable[[], list[Instruction]]) -> Transaction:
        """Built now, so a refusal comes before anything is recorded; rebuilt fresh after an expiry."""
        first: list[list[Instruction]] = [build()]
        return self._signer.builder(lambda: first.pop() if first else build())


async def open_drift_venue(config: VenueConfig, *, secret: bytes | None, authority: str) -> DriftVenue:
    """Connect a session's Drift venue: signing with `secret`, or reading `authority` without it."""
    endpoint = Endpoint(config.cluster, config.rpc_url, config.program_id, config.lookup_tables)
    wallet = None if secret is None else Keypair.from_bytes(secret)
    if wallet is not None and str(wallet.pubkey()) != authority:
        raise RektError(f"The key given for {authority} belongs to another wallet; nothing was opened.")
    gateway = DriftGateway(
        endpoint, wallet, authority=Pubkey.from_string(authority), ws_url=config.ws_url,
        stale_after_s=config.stale_after_s,
    )  # fmt: skip
    try:
        await gateway.connect()
    except BaseException:
        with contextlib.suppress(Exception):
            await gateway.close()
        raise
    return DriftVenue(
        gateway, dlob_url=config.dlob_url, dlob_ws_url=config.dlob_ws_url, stale_after_s=config.stale_after_s,
        can_sign=secret is not None,
    )  # fmt: skip
