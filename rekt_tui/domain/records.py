"""What the registry records besides sessions: snapshots, markets, orders, transactions, teardown.

Every amount is an integer in Drift's native precision (lamports 1e9, quote 1e6, base
1e9, price 1e6, spot tokens in their mint's decimals) so nothing is rounded on the way
in or out. Records name their session by pubkey and their transaction by signature:
the registry's row ids stay inside the registry, except for orders and teardown steps,
which have no natural key of their own.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class MarketType(str, Enum):
    PERP = "perp"
    SPOT = "spot"


class Direction(str, Enum):
    LONG = "long"
    SHORT = "short"


class OrderType(str, Enum):
    MARKET = "market"
    LIMIT = "limit"
    TRIGGER_MARKET = "trigger_market"
    TRIGGER_LIMIT = "trigger_limit"
    ORACLE = "oracle"


class OrderStatus(str, Enum):
    PENDING = "pending"  # signed, not yet seen on chain
    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    FAILED = "failed"


# Drift reuses user_order_id 1..255, so it identifies an order only while it is live.
LIVE_ORDER_STATUSES = frozenset({OrderStatus.PENDING, OrderStatus.OPEN})


class TransactionStatus(str, Enum):
    PENDING = "pending"  # signed and persisted, not yet broadcast
    SENT = "sent"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    EXPIRED = "expired"  # provably never landing: only then may it be rebuilt


UNRESOLVED_TRANSACTION_STATUSES = frozenset({TransactionStatus.PENDING, TransactionStatus.SENT})

# A crash after broadcast can leave a landed transaction still `pending`, so pending may
# jump straight to any outcome. Outcomes are final (except a late landing of an expired
# row): at most one landed transaction per effect.
TRANSACTION_TRANSITIONS: dict[TransactionStatus, frozenset[TransactionStatus]] = {
    TransactionStatus.PENDING: frozenset(
        {TransactionStatus.SENT, TransactionStatus.CONFIRMED, TransactionStatus.FAILED, TransactionStatus.EXPIRED}
    ),
    TransactionStatus.SENT: frozenset(
        {TransactionStatus.CONFIRMED, TransactionStatus.FAILED, TransactionStatus.EXPIRED}
    ),
    TransactionStatus.CONFIRMED: frozenset(),
    TransactionStatus.FAILED: frozenset(),
    # A late landing (lagging node): an expired row the chain later shows is promoted.
    TransactionStatus.EXPIRED: frozenset({TransactionStatus.CONFIRMED, TransactionStatus.FAILED}),
}


def can_transition_transaction(current: TransactionStatus, new: TransactionStatus) -> bool:
    return new == current or new in TRANSACTION_TRANSITIONS[current]


class TeardownStepStatus(str, Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    PARKED = "parked"  # waiting on the exchange (e.g. withdrawals paused); resumable
    FAILED = "failed"


@dataclass(frozen=True)
class PositionSnapshot:
    """One perp position as read from the chain; base may be zero while PnL is unsettled."""

    market_index: int
    base_amount: int  # 1e9, negative when short
    quote_entry_amount: int  # 1e6
    quote_break_even_amount: int  # 1e6
    unrealized_pnl_quote: int  # 1e6
    liquidation_price: int | None = None  # 1e6; None when there is no liquidation price


@dataclass(frozen=True)
class BalanceSnapshot:
    """One read of a session's account at one slot, with every position it held.

    Positions travel with the balances they were read with, so "the latest positions"
    can be empty: a flat account is a snapshot with no positions, not a missing one.
    """

    session_pubkey: str
    taken_at: datetime
    slot: int
    sol_lamports: int
    total_collateral_quote: int
    free_collateral_quote: int
    unrealized_pnl_quote: int
    usdc_spot_amount: int  # 1e6; negative for a borrow
    sol_spot_amount: int  # 1e9; negative for a borrow
    positions: tuple[PositionSnapshot, ...] = ()


@dataclass(frozen=True)
class MarketRecord:
    """A market's identity and precision facts on one cluster, as last synced."""

    cluster: str
    market_type: MarketType
    market_index: int
    symbol: str
    oracle: str
    status: str  # Drift's market status name, e.g. "active"
    decimals: int  # of the base amount: 9 for perps, the mint's decimals for spot
    tick_size: int  # price precision 1e6
    step_size: int  # in the base amount's precision
    min_order_size: int  # in the base amount's precision
    updated_at: datetime
    paused_operations: int = 0  # Drift's bit mask of paused operations


@dataclass(frozen=True)
class OrderRecord:
    id: int
    session_pubkey: str
    user_order_id: int
    chain_order_id: int | None
    market_type: MarketType
    market_index: int
    direction: Direction
    order_type: OrderType
    base_amount: int  # 1e9
    price: int | None  # 1e6; the offset for oracle orders
    trigger_price: int | None  # 1e6
    reduce_only: bool
    post_only: bool
    max_ts: int | None  # unix seconds
    status: OrderStatus
    transaction_signature: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class TransactionRecord:
    """A signed transaction as persisted before broadcast, and what became of it."""

    session_pubkey: str
    kind: str  # e.g. "deposit", "place_order", "withdraw"
    intent: str  # JSON describing the intended effect
    status: TransactionStatus
    signature: str
    raw_tx: bytes = field(repr=False)
    last_valid_block_height: int
    retry_count: int
    error_type: str | None
    error_code: int | None
    error_name: str | None
    message: str | None
    slot: int | None
    rebuild_of: str | None  # signature of the expired transaction this one replaces
    created_at: datetime
    sent_at: datetime | None
    confirmed_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class TeardownStepRecord:
    id: int
    session_pubkey: str
    run_id: str
    seq: int
    step: str  # e.g. "cancel_orders", "close_positions", "withdraw"
    status: TeardownStepStatus
    transaction_signature: str | None  # the step's latest transaction
    message: str | None
    started_at: datetime | None
    finished_at: datetime | None
