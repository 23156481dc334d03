"""Trigger orders: armed in `User.orders` (not on the book) until the oracle crosses their price.

`place_trigger_orders_v1` arms TriggerMarket / TriggerLimit perp orders; a non-reduce-only
trigger reserves margin like a resting order. `cancel_order` / `cancel_orders` disarm them.
The keeper fires a trigger whose condition holds with `trigger_market_order_v1` /
`trigger_limit_order_v1`, naming the makers it may fill against: a market trigger takes what
the book offers and the rest is cancelled; a limit trigger takes up to its price and the rest
stays armed as triggered (retried while the book crosses it). A reduce-only trigger that would
no longer reduce the position is cancelled when fired.
"""

from typing import Any

from solders.pubkey import Pubkey

from .book import ASK, BID
from .clob import load_book, store_book
from .codec import blank
from .collateral import authorized_user
from .errors import fail
from .events import emit
from .margin import require_initial_margin
from .matching import match
from .orders import Checked, check_order, reserve
from .positions import find_perp_position, perp_position_for
from .view import VelocityView

TRIGGER_TYPES = ("TriggerMarket", "TriggerLimit")
_TRIGGERED = {"Above": "TriggeredAbove", "Below": "TriggeredBelow"}


def _free_order() -> dict[str, Any]:
    return blank("User")["orders"][0]


def _side(order: dict[str, Any]) -> int:
    return BID if order["direction"] == "Long" else ASK


def _held(order: dict[str, Any]) -> int:
    """What a trigger reserves in open bids/asks: nothing for a reduce-only one."""
    return 0 if order["reduce_only"] else order["base_asset_amount"] - order["base_asset_amount_filled"]


def _record(view: VelocityView, user_key: Pubkey, action: str, order: dict[str, Any], explanation: str = "None") -> None:
    emit(view, "OrderActionRecord", action=action, action_explanation=explanation, market_index=order["market_index"],
         market_type="Perp", taker=user_key, taker_order_id=order["order_id"], taker_order_direction=order["direction"],
         taker_order_base_asset_amount=order["base_asset_amount"],
         taker_order_cumulative_base_asset_amount_filled=order["base_asset_amount_filled"],
         trigger_price=order["trigger_price"])  # fmt: skip


def place_trigger_orders(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    for params in args["args"]["params"]:
        checked, _ = check_order(view, params, TRIGGER_TYPES)
        if not params["trigger_price"]:
            raise fail("InvalidOrderTrigger", "a trigger order needs a trigger price")
        if params["trigger_condition"] not in _TRIGGERED:
            raise fail("InvalidTriggerOrderCondition", "a trigger is armed Above or Below its price")
        slot = next((o for o in user["orders"] if o["status"] != "Open"), None)
        if slot is None:
            raise fail("MaxNumberOfOrders", "every order slot of the account is taken")
        position = perp_position_for(user, checked.market_index)
        base = position["base_asset_amount"]
        slot.update(_free_order())
        slot.update(
            status="Open", order_type=params["order_type"], market_type="Perp", order_id=user["next_order_id"],
            market_index=checked.market_index, slot=view.ctx.clock.slot, price=checked.price,
            base_asset_amount=checked.base, trigger_price=params["trigger_price"],
            trigger_condition=params["trigger_condition"], direction=params["direction"],
            reduce_only=checked.reduce_only, user_order_id=checked.user_order_id, max_ts=checked.max_ts,
            existing_position_direction="Short" if base < 0 else "Long",
        )  # fmt: skip
        user["next_order_id"] += 1
        reserve(position, user, _side(slot), _held(slot), 1)
        emit(view, "OrderRecord", user=accounts.user, order=dict(slot))
        _record(view, accounts.user, "Place", slot)
    require_initial_margin(view, user, "these trigger orders")
    view.save(accounts.user)


def _disarm(
    view: VelocityView, user_key: Pubkey, user: dict[str, Any], order: dict[str, Any], explanation: str,
    release: bool = True,
) -> None:
    """Cancel an armed order: its reservation goes (unless the caller released it) and its slot is freed."""
    if release:
        reserve(perp_position_for(user, order["market_index"]), user, _side(order), -_held(order), -1)
    _record(view, user_key, "Cancel", order, explanation)
    order.update(_free_order())


def cancel_order(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    armed = [o for o in user["orders"] if o["status"] == "Open"]
    wanted = args["order_id"]
    if wanted is None:  # the last order placed
        wanted = max((o["order_id"] for o in armed), default=None)
    order = next((o for o in armed if o["order_id"] == wanted), None)
    if order is None:
        raise fail("OrderDoesNotExist", f"no open order {wanted} in the account")
    _disarm(view, accounts.user, user, order, "None")
    view.save(accounts.user)


def cancel_orders(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    for order in user["orders"]:
        if order["status"] != "Open" or args["market_type"] not in (None, order["market_type"]):
            continue
        if args["market_index"] not in (None, order["market_index"]) or args["direction"] not in (None, order["direction"]):
            continue
        _disarm(view, accounts.user, user, order, "None")
    view.save(accounts.user)


def _condition_holds(order: dict[str, Any], oracle: int) -> bool:
    condition = order["trigger_condition"]
    if condition.startswith("Triggered"):
        return True
    return oracle > order["trigger_price"] if condition == "Above" else oracle < order["trigger_price"]


def fire(view: VelocityView, accounts: Any, args: dict[str, Any], order_type: str) -> None:
    """`trigger_market_order_v1` / `trigger_limit_order_v1`, sent by a keeper."""
    user = view.get(accounts.user, "User")
    order = next((o for o in user["orders"] if o["status"] == "Open" and o["order_id"] == args["order_id"]
                  and o["market_index"] == args["market_index"]), None)  # fmt: skip
    if order is None:
        raise fail("OrderDoesNotExist", f"no armed order {args['order_id']} in market {args['market_index']}")
    if order["order_type"] != order_type:
        raise fail("OrderNotTriggerable", f"order {order['order_id']} is a {order['order_type']}")
    market_key, market = view.perp_market(order["market_index"])
    if not _condition_holds(order, view.oracle_price(market["oracle"])):
        raise fail("OrderDidNotSatisfyTriggerCondition", f"the oracle has not crossed {order['trigger_price']}")
    position = perp_position_for(user, order["market_index"])
    reserve(position, user, _side(order), -_held(order), -1)
    remaining = order["base_asset_amount"] - order["base_asset_amount_filled"]
    if order["reduce_only"]:
        held = find_perp_position(user, order["market_index"])
        base = 0 if held is None else held["base_asset_amount"]
        if base == 0 or (base > 0) == (order["direction"] == "Long"):
            _disarm(view, accounts.user, user, order, "ReduceOnlyOrderIncreasedPosition", release=False)
            view.save(accounts.user)
            return
        remaining = min(remaining, abs(base))
    if not order["trigger_condition"].startswith("Triggered"):
        _record(view, accounts.user, "Trigger", order)
    book = load_book(view.ctx, accounts.clob_market, accounts.quoter_slab, order["market_index"])
    checked = Checked(order["market_index"], _side(order), remaining, order["price"] if order_type == "TriggerLimit" else 0,
                      order["reduce_only"], order["user_order_id"], order["max_ts"])  # fmt: skip
    taker = {"order_id": order["order_id"], "direction": order["direction"], "base_asset_amount": order["base_asset_amount"],
             "base_asset_amount_filled": order["base_asset_amount_filled"],
             "quote_asset_amount_filled": order["quote_asset_amount_filled"]}  # fmt: skip
    filled, quote, fee = match(view, accounts, book, checked, remaining, taker, market)
    order["base_asset_amount_filled"] += filled
    order["quote_asset_amount_filled"] += quote
    left = min(remaining - filled, order["base_asset_amount"] - order["base_asset_amount_filled"])
    if left and order_type == "TriggerLimit":
        order["trigger_condition"] = _TRIGGERED.get(order["trigger_condition"], order["trigger_condition"])
        reserve(position, user, _side(order), _held(order), 1)
    elif left:  # a market trigger's remainder: the book had no more
        _disarm(view, accounts.user, user, order, "MarketOrderFilledToLimitPrice", release=False)
    else:
        order.update(_free_order())
    stats = view.get(accounts.user_stats, "UserStats")
    stats["taker_volume_30d"] += quote
    stats["fees"]["total_fee_paid"] += fee
    market["amm"]["total_fee"] += fee
    store_book(view.ctx, book)
    for key in (accounts.user, accounts.user_stats, market_key):
        view.save(key)
