"""The plain values the use cases take from and hand to the UI and the CLI.

They live apart from the services because those import driftpy, about 0.9 s of module
code: the cockpit imports these to define its screens and messages, and draws its first
frame before it loads anything that reaches the chain.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from rekt_tui.domain.brackets import Cover, Leg
from rekt_tui.domain.guards import Preview, Refusal
from rekt_tui.domain.orders import OrderKind, OrderRequest
from rekt_tui.domain.records import OrderRecord, OrderStatus, TeardownStepStatus
from rekt_tui.domain.session import SessionRecord
from rekt_tui.domain.teardown import TeardownStep
from rekt_tui.domain.trading import Order


@dataclass(frozen=True)
class Resumed:
    """A transaction an earlier run left without an outcome, finished before anything new is signed."""

    signature: str
    kind: str
    outcome: str  # "landed", "failed (…)" or "expired"

    @property
    def message(self) -> str:
        return f"The interrupted {self.kind} transaction {self.signature[:8]}… {self.outcome}."


@dataclass(frozen=True)
class OrderForm:
    """An order as the user typed it; everything is checked when it is planned."""

    market: str
    side: str
    size: str
    kind: str = OrderKind.MARKET.value
    price: str | None = None
    trigger: str | None = None
    reduce_only: bool = False
    post_only: bool = False
    expire_s: int | None = None
    allow_stacking: bool = False
    allow_far_price: bool = False
    take_profit: str | None = None  # a bracket's trigger prices, as typed
    stop_loss: str | None = None


@dataclass(frozen=True)
class OrderPlan:
    request: OrderRequest
    auction: tuple[int, int, int] | None  # a market order's (start, end, duration in slots)
    preview: Preview
    refusals: tuple[Refusal, ...]  # empty: the order may be signed
    bracket: tuple[Leg, ...] = ()  # reduce-only take-profit and stop-loss attached to the entry
    bracket_at_fill: bool = False  # a resting entry with no position to face: the legs wait for its fill
    bracket_cover: Cover | None = None  # what the legs close and from what price (None: the entry's fill)
    book_unread: bool = False  # a market order previewed without the book: its entry is only its worst price


NOTHING_FILLED = "landed, nothing filled"  # a taker's outcome when it ended unfilled at once


@dataclass(frozen=True)
class PlacedOrder:
    record: OrderRecord
    signature: str
    bracket: tuple["PlacedOrder", ...] = ()  # the legs placed with (or after) the entry
    bracket_problem: str | None = None  # why legs asked for were not placed (the entry was)
    bracket_at_fill: bool = False  # the legs wait in the registry; the watcher places them as the entry fills

    @property
    def outcome(self) -> str:
        """The row's status as said once placed: an order that landed and ended at once unfilled
        (the rest of a taker is cancelled) says so, never a bare "cancelled"."""
        return NOTHING_FILLED if self.record.status is OrderStatus.CANCELLED else self.record.status.value


@dataclass(frozen=True)
class ModifyPlan:
    """An open order and what it would become, previewed and guarded as that order."""

    order: Order
    plan: OrderPlan


@dataclass(frozen=True)
class ModifiedOrder:
    record: OrderRecord | None  # the registry's row of the order (None: placed outside rekt-tui)
    chain_order_id: int | None  # the replacement's venue order id (None: not seen yet)
    signature: str


@dataclass(frozen=True)
class Funding:
    wallet_lamports: int
    funded: bool
    detail: str  # the checklist's sentence: what the wallet holds and needs


@dataclass(frozen=True)
class TeardownEvent:
    """One step's progress, for the UI and the CLI (step None: the whole run)."""

    step: TeardownStep | None
    state: TeardownStepStatus
    signature: str | None
    message: str


class SuggestedAction(str, Enum):
    RECOVER = "recover"  # run (or finish) the teardown
    RESUME = "resume"  # go back to trading the session
    MARK_RESOLVED = "mark_resolved"  # the chain shows nothing left: close the books


@dataclass(frozen=True)
class RecoveryItem:
    session: SessionRecord
    sol_lamports: int  # in the session wallet
    collateral: int  # Drift total collateral, quote (1e6)
    open_orders: int
    positions: int
    unsettled_pnl: int  # quote (1e6), summed over perp markets
    borrowed: bool
    since: datetime  # the last teardown step, or the session's last update
    action: SuggestedAction | None  # None: nothing to do
    key_problem: str | None = None  # why the account was read without its key
    resumed: tuple[Resumed, ...] = ()
    adopted: int = 0  # orders found on chain and adopted into the registry
    parked: str | None = None  # why the last stop parked, when it parked rather than broke off

    @property
    def needs_recovery(self) -> bool:
        return self.action is not None
