"""The venue seam: what the services ask of one session's connection to a trading venue.

A `Venue` is one session's live connection: one account socket (the account, its oracles
and the markets), one order-book socket, and the signer. Reads return our frozen domain
values, streams yield them, and actions take domain intents and return a `Transaction`
for our sender. Nothing of a venue's client library (driftpy, solana, anchorpy, solders)
appears here: a second venue (Drift's relaunch under a new program) implements the same
Protocol in its own package and is chosen by `venue_factory.open_venue` from the cluster
profile, with no change to the services or the UI.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from rekt_tui.domain.collateral import WithdrawPreview
from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.domain.guards import Preview
from rekt_tui.domain.history import Ledger, RecordBatch, WalletFlows
from rekt_tui.domain.market_context import Candle, ChainMarket, Contract, FundingPayment, Trade
from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.orderbook import OrderBook
from rekt_tui.domain.orders import OrderRequest
from rekt_tui.domain.records import BalanceSnapshot, Direction, MarketRecord
from rekt_tui.domain.trading import AccountSnapshot, ExchangeStatus, MarketState, Order
from rekt_tui.domain.venue import Holdings, VenueConfig

T_co = TypeVar("T_co", covariant=True)

# Given a recent blockhash, the signed transaction's wire bytes, built from the venue's
# state at that moment (the sender calls it again to rebuild after an expiry).
Transaction = Callable[[str], Awaitable[bytes]]
# A market order's auction: (start price, end price, duration in slots).
Auction = tuple[int, int, int]
# Book levels an order would take, best first: (price 1e6, size in base precision).
BookSide = tuple[tuple[int, int], ...]
BookUpdate = OrderBook | FeedEvent
TradeUpdate = Trade | FeedEvent


class Stream(Protocol[T_co]):
    """One reader's bounded queue of whole states; `close` when done reading."""

    def __aiter__(self) -> Stream[T_co]: ...

    async def __anext__(self) -> T_co: ...

    def close(self) -> None: ...


class BookFeed(Protocol):
    """The session's one order-book socket, following one market at a time."""

    @property
    def market(self) -> str: ...

    @property
    def latest(self) -> OrderBook | None: ...

    @property
    def state(self) -> FeedState: ...

    def age_s(self) -> float: ...

    def updates(self) -> Stream[BookUpdate]: ...

    async def switch(self, market: str, market_type: str = "perp") -> None: ...


class TradeFeed(Protocol):
    """A market's public fills as they happen (a stream, not whole states: a reader that
    falls behind loses the oldest, and the HTTP tape fills in); `start`, then `close`."""

    @property
    def state(self) -> FeedState: ...

    def updates(self) -> Stream[TradeUpdate]: ...

    def start(self) -> None: ...

    async def close(self) -> None: ...


class Venue(Protocol):
    """One session's connection to a venue. Open it once per session and share it."""

    @property
    def authority(self) -> str:
        """The session wallet's address."""

    @property
    def account_address(self) -> str:
        """The venue account (Drift: the User account) of the session wallet."""

    @property
    def fee(self) -> int:
        """Lamports one transaction signed here costs."""

    @property
    def can_sign(self) -> bool: ...

    async def close(self) -> None: ...

    def program_error(self, code: int) -> tuple[str, str] | None:
        """The venue program's own name and message for error `code`; None: the sender's
        table (Drift's original program and the token programs) names it."""

    # Reads

    def snapshot(self) -> AccountSnapshot | None:
        """The latest account snapshot; None while the wallet has no venue account."""

    def holdings(self) -> Holdings: ...

    def account_slot(self) -> int | None:
        """The slot the account was last seen at; None without an account."""

    def markets(self) -> list[MarketState]: ...

    def market_specs(self) -> dict[str, MarketSpec]:
        """Every perp market's trading rules, by symbol ("SOL-PERP")."""

    def market_records(self, cluster: str) -> list[MarketRecord]:
        """Every market as the registry keeps it (names by index, precisions, status)."""

    def spot_spec(self, market_index: int) -> MarketSpec: ...

    def spot_oracle_price(self, market_index: int) -> int: ...

    def spot_symbol(self, market_index: int) -> str: ...

    def exchange(self) -> ExchangeStatus: ...

    async def wallet_lamports(self) -> int: ...

    async def wallet_usdc(self) -> int:
        """The quote (USDC on Drift, USDT on Velocity; 1e6) in the wallet itself, outside the venue; 0 without
        a token account."""

    async def referrer(self) -> str | None:
        """The referrer the venue records for this wallet, read now; None without one."""

    async def account_rent_lamports(self) -> int:
        """What opening the venue account locks up in rent."""

    async def refresh_account(self) -> AccountSnapshot | None:
        """Read the account now rather than wait for its notification."""

    async def records_since(self, cursor: str | None, *, max_transactions: int = ...) -> RecordBatch:
        """The venue's records about this account in the oldest transactions after `cursor`
        (the signature last read; None: from the start), oldest first."""

    async def ledger(self) -> Ledger | None:
        """The account now in the terms of the history's accounting identity; None without one."""

    async def taker_fills(self, signature: str) -> dict[int, int] | None:
        """Base filled per perp market by the session's taker orders that this landed transaction
        ended at once (what did not fill was cancelled); None where orders end later (Drift)."""
        ...

    async def wallet_flows(self) -> WalletFlows:
        """The session wallet's SOL from every finalized transaction naming it: in, out, fees, rent."""

    async def load_fee_tier(self) -> None:
        """Read what previews need for fees (the account must exist)."""

    def balance_record(self, session_pubkey: str, wallet_lamports: int) -> BalanceSnapshot | None:
        """The registry's record of the current account; None without an account."""

    def deposit_reserve_lamports(self, asset: str) -> int:
        """Lamports a deposit of `asset` needs in the wallet beyond its amount while it runs."""

    async def book_side(self, spec: MarketSpec, direction: Direction) -> BookSide:
        """The levels an order in `direction` would take now; empty when the book is unknown."""

    def preview(
        self, request: OrderRequest, *, auction_end_price: int | None, book: BookSide, replacing: Order | None = None
    ) -> Preview:
        """The account after `request` fills; `replacing`: the open order it replaces (a modify),
        whose reserved size no longer counts."""

    def preview_withdraw(self, market_index: int, amount: int) -> WithdrawPreview:
        """The account after a reduce-only withdrawal of `amount` (token precision)."""

    # Streams and staleness

    def snapshots(self) -> Stream[AccountSnapshot]: ...

    def feed_events(self) -> Stream[FeedEvent]: ...

    @property
    def feed_state(self) -> FeedState: ...

    def age_s(self) -> float:
        """Seconds since the account socket last proved itself current."""

    def is_stale(self, limit_s: float) -> bool: ...

    def order_book(self, market: str) -> BookFeed:
        """The session's one book socket, started on first use, following `market`."""

    # Actions: each refuses in one sentence what the venue would refuse, before anything is sent

    def initialize(self, referrer: str | None) -> Transaction: ...

    def referral_setup(self) -> Transaction | None:
        """What the existing account still needs before the venue pays the referrer its UserStats
        records (the relaunch's referral escrow), or None when it needs nothing."""

    def deposit(self, asset: str, amount: int) -> Transaction: ...

    def withdraw(self, market_index: int, amount: int) -> Transaction: ...

    def settle_pnl(self, market_indexes: Sequence[int]) -> Transaction: ...

    def place_order(self, request: OrderRequest, auction: Auction | None) -> Transaction: ...

    def place_orders(self, requests: Sequence[OrderRequest], auction: Auction | None) -> Transaction:
        """Several orders in one transaction (an entry and its bracket): all placed, or none;
        `auction` is the first one's."""

    def modify_order(self, order_id: int, request: OrderRequest) -> Transaction:
        """Replace open order `order_id` (venue order id) by `request`, which keeps its user order id."""

    def close_position(
        self, market_index: int, *, user_order_id: int, max_ts: int, auction: Auction, base_amount: int | None = None
    ) -> Transaction:
        """A reduce-only market order for the position the venue holds (or `base_amount` of
        it, never more), the other way."""

    def cancel_orders(self, order_ids: Sequence[int] | None) -> Transaction:
        """Cancel these open orders (venue order ids), or every open order for None."""

    def sell_spot(self, market_index: int, base_amount: int, *, user_order_id: int, min_price: int) -> Transaction:
        """Sell a spot deposit for the quote asset at once (reduce-only), to repay a borrow."""

    def sweep(self, address: str) -> Transaction:
        """Empty the wallet into `address`, leaving exactly this transaction's fee."""


class MarketData(Protocol):
    """A venue's public market data, read with no wallet or session; each read raises
    `MarketDataError` (one sentence) when its source gives no usable answer."""

    async def close(self) -> None: ...

    async def chain_markets(self) -> list[ChainMarket]:
        """Every perp market as its on-chain account says now."""

    async def contracts(self) -> list[Contract]:
        """Every perp market's 24 h statistics and funding, as the data API says."""

    async def book(self, market: str, depth: int) -> OrderBook: ...

    async def trades(self, market: str, limit: int) -> list[Trade]:
        """The newest `limit` fills, newest first."""

    def trade_feed(self, market: str) -> TradeFeed | None:
        """`market`'s fills as they happen, not started; None when the venue streams none."""

    async def candles(self, market: str, resolution: str, limit: int) -> list[Candle]:
        """The newest `limit` candles of `resolution` minutes, newest first; gaps have none."""

    async def funding_history(self, market: str) -> list[FundingPayment]:
        """Funding paid over the last 30 days, oldest first."""


class MarketDataOpener(Protocol):
    def __call__(self, config: VenueConfig, data_api_url: str) -> MarketData: ...


class VenueOpener(Protocol):
    """Opens a connected `Venue` for a wallet: its 64-byte secret to sign, or its address to read."""

    async def __call__(self, config: VenueConfig, *, secret: bytes | None, authority: str) -> Venue: ...
