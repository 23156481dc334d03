"""What the chain says about an account and its markets, as our own frozen models.

The gateway converts driftpy's types into these once; nothing above it sees driftpy.
Amounts keep Drift's integer precisions: quote and prices 1e6, perp base 1e9, spot token
amounts in their mint's decimals (USDC 1e6, SOL 1e9), leverage and margin ratios 1e4.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from rekt_tui.domain.records import Direction, MarketType, OrderType

LEVERAGE_PRECISION = 10_000


@dataclass(frozen=True)
class Position:
    market_index: int
    symbol: str
    base_amount: int  # signed: positive is long
    quote_entry_amount: int  # signed quote paid (negative for a long)
    entry_price: int
    oracle_price: int
    unrealized_pnl: int
    liquidation_price: int | None  # None: no price liquidates it
    break_even_price: int | None = None  # entry moved by the fees and funding paid so far
    quote_amount: int = 0  # signed quote of the position with fees and funding (Drift's quote_asset_amount)
    quote_break_even_amount: int | None = None  # signed quote paid for what is open, fees and funding included

    @property
    def open_pnl(self) -> int:
        """What the open size has made since it was entered, fees and funding paid included.

        `unrealized_pnl` is the program's figure: it also holds what earlier fills in this market
        realized and did not settle yet (both venues keep that in the position's quote until a
        settle), so a position reduced at a profit could read as winning while it loses."""
        if self.quote_break_even_amount is None:
            return self.unrealized_pnl
        return self.unrealized_pnl - (self.quote_amount - self.quote_break_even_amount)

    @property
    def direction(self) -> Direction:
        return Direction.LONG if self.base_amount > 0 else Direction.SHORT

    @property
    def size(self) -> int:
        return abs(self.base_amount)


@dataclass(frozen=True)
class Order:
    order_id: int
    user_order_id: int
    market_type: MarketType
    market_index: int
    order_type: OrderType
    direction: Direction
    base_amount: int
    filled: int
    price: int  # 0 for market orders
    trigger_price: int | None
    reduce_only: bool
    post_only: bool
    max_ts: int | None  # unix seconds; None: no expiry
    slot: int

    @property
    def reserved_base(self) -> int:
        """The unfilled size the venue reserves margin for (bids positive, asks negative; 1e9)."""
        left = self.base_amount - self.filled
        return left if self.direction is Direction.LONG else -left


@dataclass(frozen=True)
class AccountSnapshot:
    """A Drift account at one slot, with the figures the HUD and the guards need."""

    slot: int
    received_at: datetime
    total_collateral: int
    equity: int
    unrealized_pnl: int
    free_collateral: int  # at initial margin
    initial_margin: int
    maintenance_margin: int
    leverage: int  # LEVERAGE_PRECISION
    health: int  # 0..100
    usdc_amount: int  # negative: a borrow
    sol_amount: int
    positions: tuple[Position, ...]
    orders: tuple[Order, ...]
    net_deposits: int | None = None  # quote 1e6 deposited less withdrawn, valued when it moved; None: unknown
    orders_unread: str | None = None  # why `orders` may be incomplete (a venue's order list not read)

    @property
    def pnl_unsettled(self) -> bool:
        """True when `unrealized_pnl` is closed positions' PnL not yet settled: nothing is open."""
        return not self.positions and self.unrealized_pnl != 0

    @property
    def open_pnl(self) -> int:
        """What the open positions have made since entered (`Position.open_pnl`); with nothing
        open, the PnL still to settle."""
        if not self.positions:
            return self.unrealized_pnl
        return sum(p.open_pnl for p in self.positions)

    @property
    def margin_usage(self) -> Decimal:
        """Share of collateral the initial margin requirement uses (0 with no collateral)."""
        if self.total_collateral <= 0:
            return Decimal(0)
        return Decimal(self.initial_margin) / Decimal(self.total_collateral)

    @property
    def leverage_ratio(self) -> Decimal:
        return Decimal(self.leverage) / LEVERAGE_PRECISION


@dataclass(frozen=True)
class MarketState:
    market_type: MarketType
    market_index: int
    symbol: str
    oracle_price: int
    mark_price: int | None
    status: str  # e.g. "active", "reduce_only", "settlement"
    paused_operations: frozenset[str]  # e.g. {"withdraw", "fill"}


@dataclass(frozen=True)
class ExchangeStatus:
    paused_operations: frozenset[str]  # empty when the exchange runs normally

    @property
    def running(self) -> bool:
        return not self.paused_operations
