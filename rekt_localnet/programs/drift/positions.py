"""Perp positions and order slots of a User: finding, opening and clearing them."""

import copy
from functools import cache
from typing import Any

from rekt_localnet.encoding import default_account

from .constants import MAX_PERP_POSITIONS
from .errors import fail
from .margin import perp_is_active


@cache
def _blank_user() -> Any:
    return default_account("User")


def blank_order() -> Any:
    """An empty order slot, every field zero, as the program leaves a finished order."""
    return copy.deepcopy(_blank_user().orders[0])


def name_of(value: Any) -> str:
    """The IDL variant name of a decoded enum value."""
    return type(value).__name__


def is_long(direction: Any) -> bool:
    return name_of(direction) == "Long"


def is_open(order: Any) -> bool:
    return name_of(order.status) == "Open"


def is_perp(order: Any) -> bool:
    return name_of(order.market_type) == "Perp"


def find_perp_position(user: Any, market_index: int) -> Any | None:
    for position in user.perp_positions:
        if position.market_index == market_index and perp_is_active(position):
            return position
    return None


def perp_position_for(user: Any, market_index: int) -> Any:
    """The user's position in the market, taking a free slot (reset to zero) if needed."""
    existing = find_perp_position(user, market_index)
    if existing is not None:
        return existing
    for index, position in enumerate(user.perp_positions[:MAX_PERP_POSITIONS]):
        if not perp_is_active(position):
            fresh = copy.deepcopy(_blank_user().perp_positions[0])
            fresh.market_index = market_index
            user.perp_positions[index] = fresh
            return fresh
    raise fail("MaxNumberOfPositions", "all perp position slots are in use")


def free_order_slot(user: Any) -> int:
    for index, order in enumerate(user.orders):
        if name_of(order.status) == "Init":
            return index
    raise fail("MaxNumberOfOrders", "all 32 order slots are in use")


def order_index(user: Any, order_id: int) -> int:
    for index, order in enumerate(user.orders):
        if order.order_id == order_id and is_open(order):
            return index
    raise fail("OrderDoesNotExist", f"no open order {order_id}")


def remove_order(user: Any, index: int) -> None:
    """Take an order off the book: its unfilled size leaves the position's open bids or
    asks and its slot is cleared."""
    order = user.orders[index]
    remaining = order.base_asset_amount - order.base_asset_amount_filled
    if is_perp(order):
        position = find_perp_position(user, order.market_index)
        if position is not None:
            if is_long(order.direction):
                position.open_bids -= remaining
            else:
                position.open_asks += remaining
            position.open_orders -= 1
    else:
        for spot in user.spot_positions:
            if spot.market_index == order.market_index and spot.open_orders:
                if is_long(order.direction):
                    spot.open_bids -= remaining
                else:
                    spot.open_asks += remaining
                spot.open_orders -= 1
                break
    user.orders[index] = blank_order()
    user.has_open_order = any(is_open(other) for other in user.orders)
    user.open_orders = sum(1 for other in user.orders if is_open(other))


def advance_order(user: Any, index: int, position: Any, delta_base: int, quote: int) -> None:
    """Count a fill of `delta_base` (signed, 1e9) against an order and its position's
    open bids or asks; a completely filled order leaves the book."""
    order = user.orders[index]
    order.base_asset_amount_filled += abs(delta_base)
    order.quote_asset_amount_filled += abs(quote)
    if delta_base > 0:
        position.open_bids -= delta_base
    else:
        position.open_asks -= delta_base
    if order.base_asset_amount_filled >= order.base_asset_amount:
        order.base_asset_amount_filled = order.base_asset_amount
        remove_order(user, index)
