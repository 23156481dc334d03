"""Cancelling orders: one by id or user order id, or every order matching filters.

A cancelled order's unfilled size leaves the position's open bids or asks (see
`positions.remove_order`); cancelling needs no margin and works while paused.
"""

from typing import Any

from .errors import fail
from .positions import is_open, name_of, remove_order
from .view import DriftView


def cancel_order(view: DriftView, user_key: Any, order_id: int | None) -> None:
    """Cancel one order (None: the newest, as Drift does)."""
    user = view.get(user_key, "User")
    if order_id is None:
        order_id = user.next_order_id - 1
    index = next((i for i, o in enumerate(user.orders) if o.order_id == order_id and is_open(o)), None)
    if index is None:
        raise fail("OrderDoesNotExist", f"no open order {order_id}")
    remove_order(user, index)


def cancel_order_by_user_id(view: DriftView, user_key: Any, user_order_id: int) -> None:
    user = view.get(user_key, "User")
    index = next((i for i, o in enumerate(user.orders) if o.user_order_id == user_order_id and is_open(o)), None)
    if index is None:
        raise fail("OrderDoesNotExist", f"no open order with user order id {user_order_id}")
    remove_order(user, index)


def cancel_orders(view: DriftView, user_key: Any, market_type: Any, market_index: int | None, direction: Any) -> int:
    """Cancel every open order matching the filters; returns how many."""
    user = view.get(user_key, "User")
    cancelled = 0
    for index, order in enumerate(user.orders):
        if not is_open(order):
            continue
        if market_type is not None and name_of(order.market_type) != name_of(market_type):
            continue
        if market_index is not None and order.market_index != market_index:
            continue
        if direction is not None and name_of(order.direction) != name_of(direction):
            continue
        remove_order(user, index)
        cancelled += 1
    return cancelled
