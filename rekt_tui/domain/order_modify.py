"""Modifying an open order in place: its new price, size or trigger, checked like a new order.

Drift's `modify_order` replaces the order by one with the changed fields (a new chain
order id, the same user order id). The replacement is judged here as the order it
becomes: on the market's tick and step, a trigger on the side that does not fire at once,
and nothing asked that the order type does not have; a bad change is one sentence.
"""

from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.orders import (
    OrderKind,
    OrderRequest,
    parse_price,
    parse_size,
    parse_trigger,
    trigger_condition_for,
)
from rekt_tui.domain.records import Direction, OrderType
from rekt_tui.domain.trading import Order


def kind_of(order: Order, oracle_price: int) -> OrderKind:
    """What a resting order is, in the words of order entry.

    The account does not keep which way a trigger fires in our domain value; a trigger
    that has not fired lies on its firing side of the oracle, so the oracle tells it."""
    if order.order_type is OrderType.LIMIT:
        return OrderKind.LIMIT
    if order.order_type not in (OrderType.TRIGGER_MARKET, OrderType.TRIGGER_LIMIT):
        raise UsageError(
            f"Order #{order.order_id} is a {order.order_type.value.replace('_', ' ')} order in its auction; "
            "only resting limit, stop and take-profit orders can be modified."
        )
    below = (order.trigger_price or 0) < oracle_price
    is_stop = below == (order.direction is Direction.SHORT)
    if order.order_type is OrderType.TRIGGER_MARKET:
        return OrderKind.STOP_MARKET if is_stop else OrderKind.TAKE_PROFIT
    return OrderKind.STOP_LIMIT if is_stop else OrderKind.TAKE_PROFIT_LIMIT


def parse_modify(
    order: Order, spec: MarketSpec, *, price: str | None, size: str | None, trigger: str | None, oracle_price: int
) -> OrderRequest:
    """The order `order` becomes with the given fields changed; `UsageError` on the first fault."""
    number = f"#{order.order_id}"
    given = {name: value.strip() for name, value in (("price", price), ("size", size), ("trigger", trigger))
             if value is not None and value.strip()}  # fmt: skip
    if not given:
        raise UsageError(f"Give a new price, size or trigger to modify order {number}.")
    kind = kind_of(order, oracle_price)
    if "price" in given and not kind.takes_price:
        raise UsageError(f"Order {number} is a {kind.label} order with no limit price; change its trigger or size.")
    if "trigger" in given and not kind.takes_trigger:
        raise UsageError(f"Order {number} is a {kind.label} order with no trigger; change its price or size.")
    new_price = parse_price(given["price"], kind, spec) if "price" in given else (order.price or None)
    new_trigger = (
        parse_trigger(given["trigger"], kind, order.direction, oracle_price) if "trigger" in given
        else order.trigger_price
    )  # fmt: skip
    reference = new_price or new_trigger or oracle_price
    base = parse_size(given["size"], spec, reference) if "size" in given else order.base_amount - order.filled
    if (base, new_price, new_trigger) == (order.base_amount - order.filled, order.price or None, order.trigger_price):
        raise UsageError(f"Order {number} already rests with that price, size and trigger; nothing would change.")
    return OrderRequest(
        market=spec, direction=order.direction, kind=kind, base_amount=base,
        price=new_price if kind.takes_price else None, trigger_price=new_trigger if kind.takes_trigger else None,
        trigger_condition=trigger_condition_for(kind, order.direction), reduce_only=order.reduce_only,
        post_only=order.post_only, max_ts=order.max_ts or 0, user_order_id=order.user_order_id,
    )  # fmt: skip

