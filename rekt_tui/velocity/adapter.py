"""Drift's relaunch ("Velocity") behind the venue seam (`services.venue.Venue`).

`VelocityVenue` composes one session's connection (`connection.VelocityConnection`: RPC, one
account socket, the decoded chain view), the order-book socket (the DLOB server speaks the same
`/l2` and websocket as Drift's), and a signer. It speaks solders and our own codec only: no
driftpy. Everything it returns is a domain value, every action a `Transaction` for our sender.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from solders.address_lookup_table_account import AddressLookupTable, AddressLookupTableAccount
from solders.instruction import AccountMeta, Instruction
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
from rekt_tui.drift.dlob import OrderBookFeed, book_levels
from rekt_tui.drift.streams import Subscription
from rekt_tui.drift.fees import DEFAULT_COMPUTE_UNIT_LIMIT, transaction_fee
from rekt_tui.drift.transactions import sign_v0
from rekt_tui.drift.wallet_flows import read_wallet_flows
from rekt_tui.velocity import domain_values as values
from rekt_tui.velocity import order_building as orders
from rekt_tui.velocity import trader_actions as act
from rekt_tui.velocity.book_orders import BookOrder
from rekt_tui.velocity.codec.program import VelocityProgram
from rekt_tui.velocity.connection import VelocityConnection
from rekt_tui.velocity.history import HISTORY_BATCH, ledger_of, read_records
from rekt_tui.velocity.makers import TakerBook, taker_book
from rekt_tui.velocity.outcomes import read_taker_fills
from rekt_tui.velocity.previews import preview_order, preview_withdraw
from rekt_tui.velocity.wallet_actions import sweep

log = logging.getLogger(__name__)

INSTRUCTION_FALLBACK_NOT_FOUND = 101  # Anchor's code for an instruction the program does not know
USER_SIZE, USER_STATS_SIZE = 4496, 240  # the pinned layouts' sizes, discriminator included
Transaction = Callable[[str], Awaitable[bytes]]
Build = Callable[[], list[Instruction] | Awaitable[list[Instruction]]]


class VelocityVenue:
    """A session's connection to the relaunched program; implements `services.venue.Venue`."""

    def __init__(self, connection: VelocityConnection, config: VenueConfig, wallet: Keypair | None) -> None:
        self._connection = connection
        self._view = connection.view
        self._config = config
        self._wallet = wallet
        self._book: OrderBookFeed | None = None
        self._tables: list[AddressLookupTableAccount] | None = None

    @property
    def connection(self) -> VelocityConnection:
        """For tests of the adapter itself."""
        return self._connection

    @property
    def authority(self) -> str:
        return str(self._view.authority)

    @property
    def account_address(self) -> str:
        return str(self._view.user_key)

    @property
    def fee(self) -> int:
        return transaction_fee(DEFAULT_COMPUTE_UNIT_LIMIT, 0)

    @property
    def can_sign(self) -> bool:
        return self._wallet is not None

    def program_error(self, code: int) -> tuple[str, str] | None:
        """The relaunch's own codes (its IDL's table, 6000-6410), and Anchor's 101, which here
        means this deployment has no such instruction, not that the program is paused."""
        if code == INSTRUCTION_FALLBACK_NOT_FOUND:
            return ("InstructionFallbackNotFound",
                    "this deployment of the relaunched program has no handler for the instruction sent")  # fmt: skip
        error = self._view.program.errors.get(code)
        return None if error is None else (error.name, error.msg.rstrip(".") or error.name)

    async def close(self) -> None:
        book, self._book = self._book, None
        if book is not None:
            await book.close()
        await self._connection.close()

    # Reads

    def snapshot(self) -> AccountSnapshot | None:
        return self._connection.snapshot()

    def holdings(self) -> Holdings:
        """Everything held, book orders included; refused while they could not be read, so a
        teardown never concludes there is nothing to cancel from a failed read."""
        held = values.holdings(self._view)
        return replace(held, orders=held.orders + tuple(b.order for b in self._read_book_orders()))

    @property
    def _book_orders(self) -> list[BookOrder]:
        return self._connection.book_orders

    def _read_book_orders(self) -> list[BookOrder]:
        unread = self._connection.book_orders_unread
        if unread is not None:
            raise RektError(f"{unread.removesuffix(' the orders listed may be incomplete.')} nothing is "
                            "concluded about what this account holds: try again.")  # fmt: skip
        return self._book_orders

    def account_slot(self) -> int | None:
        return self._view.user_slot

    def markets(self) -> list[MarketState]:
        return values.market_states(self._view)

    def market_specs(self) -> dict[str, MarketSpec]:
        return values.market_specs(self._view)

    def market_records(self, cluster: str) -> list[MarketRecord]:
        return values.market_records(self._view, cluster, datetime.now(UTC))

    def spot_spec(self, market_index: int) -> MarketSpec:
        return values.spot_spec(self._view, market_index)

    def spot_oracle_price(self, market_index: int) -> int:
        price = self._view.spot_price(market_index)
        if price is None:
            raise RektError(f"No oracle price is known for spot market {market_index}; wait for market data.")
        return price

    def spot_symbol(self, market_index: int) -> str:
        return self._view.spot(market_index).symbol

    def exchange(self) -> ExchangeStatus:
        return values.exchange_status(self._view)

    async def wallet_lamports(self) -> int:
        return await self._connection.lamports(self._view.authority)

    async def wallet_usdc(self) -> int:
        """The quote asset (USDT on this venue) in the wallet's own token account."""
        return await self._connection.token_amount(act.token_account(self._view, 0)) or 0

    async def referrer(self) -> str | None:
        data = await self._connection.account_data(self._view.user_stats_key)
        if data is None:
            return None
        from rekt_tui.velocity.layouts import user_stats

        referrer = user_stats(self._view.program, data).referrer
        return None if referrer == Pubkey.default() else str(referrer)

    async def account_rent_lamports(self) -> int:
        rent = await self._connection.rent(USER_SIZE) + await self._connection.rent(USER_STATS_SIZE)
        if self._view.pays_referral_through_escrow:
            rent += await self._connection.rent(act.escrow_size(self._view))
        return rent

    async def refresh_account(self) -> AccountSnapshot | None:
        return await self._connection.refresh()

    async def records_since(self, cursor: str | None, *, max_transactions: int = HISTORY_BATCH) -> RecordBatch:
        return await read_records(self._connection.rpc, self._view.program, self.account_address, cursor,
                                  max_transactions=max_transactions)  # fmt: skip

    async def ledger(self) -> Ledger | None:
        await self._connection.refresh()
        return ledger_of(self._view)

    async def taker_fills(self, signature: str) -> dict[int, int] | None:
        """What the session's taker orders in this landed transaction filled, per perp market:
        the relaunch ends a taker at once, so the transaction's fill events are its outcome."""
        return await read_taker_fills(self._connection.rpc, self._view.program, signature, self.account_address)

    async def wallet_flows(self) -> WalletFlows:
        return await read_wallet_flows(self._connection.rpc, self.authority)

    async def load_fee_tier(self) -> None:
        """Fees are read from the State by the preview; nothing to load per account."""

    def balance_record(self, session_pubkey: str, wallet_lamports: int) -> BalanceSnapshot | None:
        snapshot = self._connection.snapshot()
        if snapshot is None:
            return None
        return values.balance_snapshot(self._view, session_pubkey, snapshot, wallet_lamports)

    def deposit_reserve_lamports(self, asset: str) -> int:
        return act.WRAPPED_SOL_ACCOUNT_LAMPORTS if asset == "SOL" else 0

    async def book_side(self, spec: MarketSpec, direction: Direction) -> tuple[tuple[int, int], ...]:
        return await book_levels(self._config.dlob_url, spec.symbol, direction)

    def preview(self, request: OrderRequest, *, auction_end_price: int | None,
                book: tuple[tuple[int, int], ...], replacing: Order | None = None) -> Preview:  # fmt: skip
        return preview_order(self._view, request, auction_end_price=auction_end_price, book=book, replacing=replacing)

    def preview_withdraw(self, market_index: int, amount: int) -> WithdrawPreview:
        return preview_withdraw(self._view, market_index, amount)

    # Streams

    def snapshots(self) -> Subscription[AccountSnapshot]:
        return self._connection.snapshots()

    def feed_events(self) -> Subscription[FeedEvent]:
        return self._connection.feed_events()

    @property
    def feed_state(self) -> FeedState:
        return self._connection.feed_state

    def age_s(self) -> float:
        return self._connection.age_s()

    def is_stale(self, limit_s: float) -> bool:
        return self._connection.is_stale(limit_s)

    def order_book(self, market: str) -> OrderBookFeed:
        if self._book is None:
            self._book = OrderBookFeed(self._config.dlob_ws_url, market, stale_after_s=self._config.stale_after_s)
            self._book.start()
        return self._book

    # Actions

    def initialize(self, referrer: str | None) -> Transaction:
        async def build() -> list[Instruction]:
            has_stats = await self._connection.account_data(self._view.user_stats_key) is not None
            return act.initialize(self._view, referrer, has_user_stats=has_stats)

        return self._lazy(build)

    def referral_setup(self) -> Transaction | None:
        view = self._view
        if view.user is None or not view.pays_referral_through_escrow or view.escrow is not None:
            return None
        return self._lazy(lambda: [act.referral_escrow(view)])

    def deposit(self, asset: str, amount: int) -> Transaction:
        self._view.require_user()
        if asset == "SOL":
            index = next((i for i, m in self._view.spots.items() if m.symbol.upper() == "SOL"), 1)

            async def wrapped() -> list[Instruction]:
                return act.deposit_sol(self._view, index, amount, await self.wallet_lamports())

            return self._lazy(wrapped)

        async def quote() -> list[Instruction]:
            held = await self.wallet_usdc()
            if held < amount:
                symbol = self._view.spot(0).symbol
                raise RektError(f"The session wallet holds {held / 10**6:.2f} {symbol}, less than the "
                                f"{amount / 10**6:.2f} to deposit.")  # fmt: skip
            return act.deposit_token(self._view, 0, amount)

        return self._lazy(quote)

    def withdraw(self, market_index: int, amount: int) -> Transaction:
        return self._lazy(lambda: act.withdraw(self._view, market_index, amount))

    def settle_pnl(self, market_indexes: Sequence[int]) -> Transaction:
        return self._fixed(act.settle_pnl(self._view, market_indexes))

    def place_order(self, request: OrderRequest, auction: tuple[int, int, int] | None) -> Transaction:
        return self.place_orders([request], auction)

    def place_orders(self, requests: Sequence[OrderRequest], auction: tuple[int, int, int] | None) -> Transaction:
        """Checked now (a refusal before anything is recorded); the makers a taker names are read
        from the book when the transaction is built, and again for a rebuild."""
        orders.place_orders(self._view, requests, auction, self._book_orders)
        first = requests[0]

        async def build() -> list[Instruction]:
            book = await self._taker_book(first.market.symbol, first.direction)
            return orders.place_orders(self._view, requests, auction, self._book_orders, book)

        return self._lazy(build)

    async def _taker_book(self, symbol: str, direction: Direction) -> TakerBook:
        return await taker_book(self._connection, self._config.dlob_url, symbol, direction)

    def modify_order(self, order_id: int, request: OrderRequest) -> Transaction:
        return self._fixed(orders.modify_order(self._view, order_id, request, self._book_orders))

    def close_position(self, market_index: int, *, user_order_id: int, max_ts: int, auction: tuple[int, int, int],
                       base_amount: int | None = None) -> Transaction:  # fmt: skip
        def build(makers: Sequence[AccountMeta] = ()) -> list[Instruction]:
            return orders.close_position(self._view, market_index, user_order_id=user_order_id, max_ts=max_ts,
                                         auction=auction, base_amount=base_amount, makers=makers)  # fmt: skip

        build()  # refused now, before anything is recorded; built with the book's makers when signed

        async def with_makers() -> list[Instruction]:
            held = next(p for p in self._view.require_user().perp_positions if p.market_index == market_index)
            closing = Direction.SHORT if held.base_asset_amount > 0 else Direction.LONG
            symbol = self._view.perp(market_index).symbol
            makers = (await self._taker_book(symbol, closing)).makers
            orders.require_makers(symbol, closing, makers)
            return build(makers)

        return self._lazy(with_makers)

    def cancel_orders(self, order_ids: Sequence[int] | None) -> Transaction:
        book = self._read_book_orders() if order_ids is None else self._book_orders
        return self._fixed(orders.cancel_orders(self._view, order_ids, book))

    def sell_spot(self, market_index: int, base_amount: int, *, user_order_id: int, min_price: int) -> Transaction:
        act.sell_spot(self._view, market_index)

    def sweep(self, address: str) -> Transaction:
        destination = Pubkey.from_string(address)

        async def build() -> list[Instruction]:
            return await sweep(self._connection, destination, fee=self.fee)

        return self._lazy(build)

    # Signing

    def _fixed(self, instructions: list[Instruction]) -> Transaction:
        return self._lazy(lambda: instructions)

    def _lazy(self, build: Build) -> Transaction:
        async def signed(blockhash: str) -> bytes:
            if self._wallet is None:
                raise RektError("This session's venue is open read-only; nothing can be signed.")
            listed = build()
            instructions = await listed if not isinstance(listed, list) else listed
            return sign_v0(instructions, self._wallet, blockhash, await self._lookup_tables())

        return signed

    async def _lookup_tables(self) -> list[AddressLookupTableAccount]:
        if self._tables is None:
            tables = []
            for address in self._config.lookup_tables:
                key = Pubkey.from_string(address)
                data = await self._connection.account_data(key)
                if data is not None:
                    table = AddressLookupTable.deserialize(data)
                    tables.append(AddressLookupTableAccount(key, list(table.addresses)))
            self._tables = tables
        return self._tables


async def open_velocity_venue(config: VenueConfig, *, secret: bytes | None, authority: str) -> VelocityVenue:
    """Connect a session to the relaunched program: signing with `secret`, or reading `authority`."""
    wallet = None if secret is None else Keypair.from_bytes(secret)
    if wallet is not None and str(wallet.pubkey()) != authority:
        raise RektError(f"The key given for {authority} belongs to another wallet; nothing was opened.")
    program = VelocityProgram.pinned(Pubkey.from_string(config.program_id))
    connection = VelocityConnection(program, Pubkey.from_string(authority), rpc_url=config.rpc_url,
                                    ws_url=config.ws_url, dlob_url=config.dlob_url,
                                    stale_after_s=config.stale_after_s)  # fmt: skip
    try:
        await connection.connect()
    except BaseException:
        with contextlib.suppress(Exception):
            await connection.close()
        raise
    await connection.read_book_orders()
    return VelocityVenue(connection, config, wallet)
