"""Placing and modifying perp orders (cancels.py takes them off the book).

Sizes must sit on the market's step and prices on its tick (InvalidOrder otherwise);
a reduce-only order must face an existing position (ReduceOnlyOrderIncreasedRisk); any
order that adds risk must leave the user above initial margin with every open order
counted as filled (InsufficientCollateral).
"""

from dataclasses import dataclass
from typing import Any

from rekt_localnet.encoding import variant

from .constants import EXCHANGE_FILL_PAUSED, PERP_OP_FILL
from .errors import fail
from .margin import require_initial_margin
from .positions import (
    free_order_slot,
    is_long,
    is_open,
    name_of,
    perp_position_for,
    remove_order,
)
from .pricing import MARKET_TYPES, amm_quote, default_auction
from .view import DriftView

EXCHANGE_PAUSED = 0xFF
IMMEDIATE_OR_CANCEL_FLAG = 1


@dataclass
class OrderRequest:
    """What an order asks for, in the shape OrderParams has (ModifyOrder merges into it)."""

    order_type: str
    direction: Any
    base_asset_amount: int
    price: int
    market_index: int
    reduce_only: bool = False
    post_only: str = "None"
    user_order_id: int = 0
    bit_flags: int = 0
    max_ts: int | None = None
    trigger_price: int | None = None
    trigger_condition: str = "Above"
    oracle_price_offset: int | None = None
    auction_duration: int | None = None
    auction_start_price: int | None = None
    auction_end_price: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> "OrderRequest":
        return cls(
            order_type=name_of(params.order_type),
            direction=params.direction,
            base_asset_amount=params.base_asset_amount,
            price=params.price,
            market_index=params.market_index,
            reduce_only=params.reduce_only,
            post_only=name_of(params.post_only),
            user_order_id=params.user_order_id,
            bit_flags=params.bit_flags,
            max_ts=params.max_ts,
            trigger_price=params.trigger_price,
            trigger_condition=name_of(params.trigger_condition),
            oracle_price_offset=params.oracle_price_offset,
            auction_duration=params.auction_duration,
            auction_start_price=params.auction_start_price,
            auction_end_price=params.auction_end_price,
        )


def check_exchange(view: DriftView) -> None:
    if view.state().exchange_status == EXCHANGE_PAUSED:
        raise fail("ExchangePaused", "the exchange is paused")


def _validate(user: Any, market: Any, request: OrderRequest, now: int) -> None:
    kind = request.order_type
    amm = market.amm
    if name_of(market.status) not in ("Active", "ReduceOnly", "FundingPaused", "AmmPaused", "FillPaused"):
        raise fail("MarketPlaceOrderPaused", f"perp market {request.market_index} is not taking orders")
    if name_of(market.status) == "ReduceOnly" and not request.reduce_only:
        raise fail("MarketPlaceOrderPaused", f"perp market {request.market_index} is reduce-only")
    size = request.base_asset_amount
    if size < amm.min_order_size or size % amm.order_step_size:
        raise fail("InvalidOrder", f"size {size} is below {amm.min_order_size} or off the step {amm.order_step_size}")
    needs_price = kind in ("Limit", "TriggerLimit") and not request.oracle_price_offset
    if needs_price and request.price == 0:
        raise fail("InvalidOrder", "a limit order needs a price")
    if request.price % amm.order_tick_size:
        raise fail("InvalidOrder", f"price {request.price} is off the tick {amm.order_tick_size}")
    if kind in ("TriggerMarket", "TriggerLimit"):
        if not request.trigger_price or request.trigger_condition not in ("Above", "Below"):
            raise fail("InvalidOrder", "a trigger order needs a trigger price and an Above/Below condition")
    if kind == "Oracle" and request.oracle_price_offset is None:
        raise fail("InvalidOrder", "an oracle order needs an oracle price offset")
    if request.post_only != "None" and kind in MARKET_TYPES:
        raise fail("InvalidOrderPostOnly", "a market order cannot be post-only")
    if request.max_ts and request.max_ts < now:
        raise fail("InvalidOrderMaxTs", f"max_ts {request.max_ts} is in the past")
    if any(
        is_open(order) and request.user_order_id and order.user_order_id == request.user_order_id
        for order in user.orders
    ):
        raise fail("UserOrderIdAlreadyInUse", f"user order id {request.user_order_id} is taken")


def _check_reduce_only(position: Any, request: OrderRequest) -> None:
    base = position.base_asset_amount
    if base == 0 or (base > 0) == is_long(request.direction):
        raise fail("ReduceOnlyOrderIncreasedRisk", "a reduce-only order must face an open position")


def _post_only_price(request: OrderRequest, market: Any, oracle: int) -> int | None:
    """The price of a post-only order after its post-only rule; None means skip placing."""
    long = is_long(request.direction)
    opposite = amm_quote(market, oracle, long_taker=long)
    crossing = request.price >= opposite if long else request.price <= opposite
    if request.post_only == "None" or not crossing:
        return request.price
    if request.post_only == "MustPostOnly":
        raise fail("PlacePostOnlyLimitFailure", f"price {request.price} would cross the book at {opposite}")
    if request.post_only == "TryPostOnly":
        return None
    tick = market.amm.order_tick_size
    return opposite - tick if long else opposite + tick


def place_perp_order(view: DriftView, user_key: Any, request: OrderRequest) -> int | None:
    """Put an order on the user's book; returns its slot index (None: a post-only skip)."""
    check_exchange(view)
    user = view.get(user_key, "User")
    market = view.perp_market(request.market_index)
    oracle = view.oracle_price(market.amm.oracle)
    _validate(user, market, request, view.ctx.clock.unix_timestamp)
    price = _post_only_price(request, market, oracle) if request.order_type == "Limit" else request.price
    if price is None:
        return None
    position = perp_position_for(user, request.market_index)
    if request.reduce_only:
        _check_reduce_only(position, request)
    index = free_order_slot(user)
    write_order(view, user, index, request, "Perp", price, position.base_asset_amount < 0)
    order = user.orders[index]
    if request.order_type == "Market":
        set_auction(view, order, request, oracle, view.state().min_perp_auction_duration)
    count_open_order(position, request)
    if not request.reduce_only:
        require_initial_margin(view, user, f"order {order.order_id}")
    return index


def count_open_order(position, request) -> None:
    """A resting order reserves its size on the position's open bids or asks (perp and spot alike)."""
    position.open_orders += 1
    if is_long(request.direction):
        position.open_bids += request.base_asset_amount
    else:
        position.open_asks -= request.base_asset_amount


def write_order(
    view: DriftView, user: Any, index: int, request: OrderRequest, market_type: str, price: int, short: bool
) -> None:
    """Fill an empty order slot from the request and take the next order id."""
    clock = view.ctx.clock
    order = user.orders[index]
    order.status = variant(order.status, "Open")
    order.order_type = variant(order.order_type, request.order_type)
    order.market_type = variant(order.market_type, market_type)
    order.direction = variant(order.direction, name_of(request.direction))
    order.existing_position_direction = variant(order.existing_position_direction, "Short" if short else "Long")
    order.trigger_condition = variant(order.trigger_condition, request.trigger_condition)
    order.slot = clock.slot
    order.posted_slot_tail = clock.slot & 0xFF
    order.order_id = user.next_order_id
    order.user_order_id = request.user_order_id
    order.market_index = request.market_index
    order.base_asset_amount = request.base_asset_amount
    order.price = price
    order.trigger_price = request.trigger_price or 0
    order.oracle_price_offset = request.oracle_price_offset or 0
    order.reduce_only = request.reduce_only
    order.post_only = request.post_only != "None"
    order.immediate_or_cancel = bool(request.bit_flags & IMMEDIATE_OR_CANCEL_FLAG)
    order.bit_flags = request.bit_flags
    order.max_ts = request.max_ts or 0
    if request.order_type == "Market" and not order.max_ts:
        order.max_ts = clock.unix_timestamp + view.state().default_market_order_time_in_force
    elif request.auction_duration and request.auction_start_price is not None and request.order_type == "Limit":
        order.auction_duration = request.auction_duration
        order.auction_start_price = request.auction_start_price
        order.auction_end_price = request.auction_end_price or price
    user.next_order_id += 1
    user.has_open_order = True
    user.open_orders += 1
    user.last_active_slot = clock.slot


def set_auction(view: DriftView, order: Any, request: OrderRequest, oracle: int, default_duration: int) -> None:
    start, end = default_auction(oracle, is_long(request.direction), request.price)
    order.auction_duration = request.auction_duration if request.auction_duration is not None else default_duration
    order.auction_start_price = request.auction_start_price if request.auction_start_price is not None else start
    order.auction_end_price = request.auction_end_price if request.auction_end_price is not None else end


def request_from_order(order: Any) -> OrderRequest:
    """The request that would place `order` again (the base of a modification)."""
    return OrderRequest(
        order_type=name_of(order.order_type),
        direction=order.direction,
        base_asset_amount=order.base_asset_amount - order.base_asset_amount_filled,
        price=order.price,
        market_index=order.market_index,
        reduce_only=order.reduce_only,
        post_only="MustPostOnly" if order.post_only else "None",
        user_order_id=order.user_order_id,
        bit_flags=order.bit_flags,
        max_ts=order.max_ts or None,
        trigger_price=order.trigger_price or None,
        trigger_condition=name_of(order.trigger_condition),
        oracle_price_offset=order.oracle_price_offset or None,
    )


def modify_order(view: DriftView, user_key: Any, index: int, changes: Any) -> None:
    """Replace an open order by one with the changed fields (a new order id), as Drift does."""
    user = view.get(user_key, "User")
    request = request_from_order(user.orders[index])
    for field in (
        "base_asset_amount", "price", "reduce_only", "max_ts", "trigger_price",
        "oracle_price_offset", "auction_duration", "auction_start_price", "auction_end_price", "bit_flags",
    ):
        value = getattr(changes, field)
        if value is not None:
            setattr(request, field, value)
    if changes.direction is not None:
        request.direction = changes.direction
    if changes.post_only is not None:
        request.post_only = name_of(changes.post_only)
    if changes.trigger_condition is not None:
        request.trigger_condition = name_of(changes.trigger_condition)
    remove_order(user, index)
    if place_perp_order(view, user_key, request) is None:
        raise fail("PlacePostOnlyLimitFailure", "the modified post-only order would cross")


def fills_paused(view: DriftView, market: Any) -> bool:
    """Whether the exchange or this market has fills paused."""
    return bool(view.state().exchange_status & EXCHANGE_FILL_PAUSED or market.paused_operations & PERP_OP_FILL)

