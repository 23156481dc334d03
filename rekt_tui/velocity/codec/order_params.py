"""Typed order arguments, checked against the pinned IDL's `OrderParams` by the tests.

Prices are in the program's PRICE_PRECISION (1e6) and sizes in BASE_PRECISION (1e9): integers,
never floats, converted from Decimal by the caller.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, cast

from rekt_tui.velocity.codec.binary import CodecError, Value

OrderType = Literal["Market", "Limit", "TriggerMarket", "TriggerLimit", "Oracle"]
MarketType = Literal["Spot", "Perp"]
Direction = Literal["Long", "Short"]
PostOnly = Literal["None", "MustPostOnly", "TryPostOnly", "Slide"]
TriggerCondition = Literal["Above", "Below", "TriggeredAbove", "TriggeredBelow"]
CancelSides = Literal["Bids", "Asks", "Both"]


@dataclass(frozen=True)
class OrderParams:
    order_type: OrderType
    direction: Direction
    base_asset_amount: int
    price: int
    market_index: int
    market_type: MarketType = "Perp"
    user_order_id: int = 0
    reduce_only: bool = False
    post_only: PostOnly = "None"
    bit_flags: int = 0
    max_ts: int | None = None
    trigger_price: int | None = None
    trigger_condition: TriggerCondition = "Above"
    oracle_price_offset: int | None = None
    auction_duration: int | None = None
    auction_start_price: int | None = None
    auction_end_price: int | None = None
    builder_idx: int | None = None
    builder_fee_tenth_bps: int | None = None

    def to_value(self) -> dict[str, Value]:
        return cast(dict[str, Value], asdict(self))

    @classmethod
    def from_value(cls, value: Value) -> OrderParams:
        if not isinstance(value, dict):
            raise CodecError("OrderParams must be a mapping of its fields.")
        try:
            return cls(**value)  # type: ignore[arg-type]  # the codec checked each field's type
        except TypeError:
            raise CodecError(f"OrderParams has fields {sorted(value)}, not the pinned ones.") from None


@dataclass(frozen=True)
class OrderRef:
    """Where a resting order sits on the market's book (from the order-book server)."""

    node_index: int
    order_id: int

    def to_value(self) -> dict[str, Value]:
        return {"node_index": self.node_index, "order_id": self.order_id}


@dataclass(frozen=True)
class OrderModification:
    """`modify_order_v1`'s changes: None leaves a field as it is."""

    market_index: int
    order_ref: OrderRef
    price: int | None = None
    base_asset_amount: int | None = None
    max_ts: int | None = None
    activation_delay_slots: int | None = None
    reject_if_crossed: bool = False

    def to_value(self) -> dict[str, Value]:
        value = cast(dict[str, Value], asdict(self))
        value["order_ref"] = self.order_ref.to_value()
        return value
