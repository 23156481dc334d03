"""Perp order instructions as the program receives them: argument handling around the
order book (orders.py, cancels.py), matching (matching.py) and settlement
(settlement.py). Spot order instructions live with spot matching (spot_orders.py)."""

from typing import Any

from rekt_localnet.encoding import variant

from .cancels import cancel_order, cancel_order_by_user_id, cancel_orders
from .collateral import authorized_user
from .errors import fail
from .matching import fill_perp_order, save_fill
from .orders import (
    OrderRequest,
    check_exchange,
    fills_paused,
    modify_order,
    place_perp_order,
)
from .positions import is_open, name_of, order_index, remove_order
from .pricing import MARKET_TYPES, default_auction
from .settlement import settle_pnl
from .spot_orders import place_spot_order
from .view import DriftView

SUCCESS_PARTIAL_FILL = 1
SUCCESS_FILL = 2


def _perp_request(params: Any) -> OrderRequest:
    if name_of(params.market_type) != "Perp":
        raise fail("InvalidOrderMarketType", "this instruction takes perp orders")
    return OrderRequest.from_params(params)


def place_perp_order_ix(view: DriftView, accounts: Any, args: Any) -> None:
    place_perp_order(view, accounts.user, _perp_request(args.params))
    view.save(accounts.user)


def place_orders_ix(view: DriftView, accounts: Any, args: Any) -> None:
    for params in args.params:
        if name_of(params.market_type) == "Spot":
            place_spot_order(view, accounts.user, OrderRequest.from_params(params))
        else:
            place_perp_order(view, accounts.user, _perp_request(params))
    view.save(accounts.user)


def cancel_order_ix(view: DriftView, accounts: Any, args: Any) -> None:
    cancel_order(view, accounts.user, args.order_id)
    view.save(accounts.user)


def cancel_order_by_user_id_ix(view: DriftView, accounts: Any, args: Any) -> None:
    cancel_order_by_user_id(view, accounts.user, args.user_order_id)
    view.save(accounts.user)


def cancel_orders_ix(view: DriftView, accounts: Any, args: Any) -> None:
    cancel_orders(view, accounts.user, args.market_type, args.market_index, args.direction)
    view.save(accounts.user)


def modify_order_ix(view: DriftView, accounts: Any, args: Any) -> None:
    user = view.get(accounts.user, "User")
    order_id = args.order_id if args.order_id is not None else user.next_order_id - 1
    modify_order(view, accounts.user, order_index(user, order_id), args.modify_order_params)
    view.save(accounts.user)


def modify_order_by_user_id_ix(view: DriftView, accounts: Any, args: Any) -> None:
    user = view.get(accounts.user, "User")
    index = next((i for i, o in enumerate(user.orders) if is_open(o) and o.user_order_id == args.user_order_id), None)
    if index is None:
        raise fail("OrderDoesNotExist", f"no open order with user order id {args.user_order_id}")
    modify_order(view, accounts.user, index, args.modify_order_params)
    view.save(accounts.user)


def place_and_take_perp_order_ix(view: DriftView, accounts: Any, args: Any) -> None:
    request = _perp_request(args.params)
    market = view.perp_market(request.market_index)
    if fills_paused(view, market):
        raise fail("MarketFillOrderPaused", f"fills in perp market {request.market_index} are paused")
    if request.order_type in MARKET_TYPES and request.auction_duration is None:
        request.auction_duration = 0
    index = place_perp_order(view, accounts.user, request)
    if index is None:
        view.save(accounts.user)
        return
    user = view.get(accounts.user, "User")
    order = user.orders[index]
    fills = fill_perp_order(view, accounts.user, index)
    filled = sum(fill.base for fill in fills)
    condition = args.success_condition or 0
    if (condition == SUCCESS_PARTIAL_FILL and filled == 0) or (
        condition == SUCCESS_FILL and filled < request.base_asset_amount
    ):
        raise fail("PlaceAndTakeOrderSuccessConditionFailed", f"filled {filled} of {request.base_asset_amount}")
    current = user.orders[index]
    if is_open(current) and current.order_id == order.order_id:
        if request.order_type in MARKET_TYPES or order.immediate_or_cancel:
            remove_order(user, index)
    save_fill(view, accounts.user, fills, [market.pubkey])


def settle_pnl_ix(view: DriftView, accounts: Any, args: Any) -> None:
    authorized_user(view, accounts.user, accounts.authority)
    check_exchange(view)
    settle_pnl(view, accounts.user, args.market_index)


def fill_perp_order_ix(view: DriftView, accounts: Any, args: Any) -> None:
    """A filler (the localnet keeper, or anyone) fills a user's order: expired orders are
    cancelled instead, as Drift's fill does."""
    check_exchange(view)
    user = view.get(accounts.user, "User")
    if args.order_id is None:
        raise fail("OrderDoesNotExist", "fill_perp_order needs an order id")
    index = order_index(user, args.order_id)
    order = user.orders[index]
    clock = view.ctx.clock
    if order.max_ts and clock.unix_timestamp > order.max_ts:
        remove_order(user, index)
        view.ctx.log(f"order {order.order_id} expired")
        view.save(accounts.user)
        return
    if name_of(order.order_type).startswith("Trigger") and not name_of(order.trigger_condition).startswith("Triggered"):
        raise fail("OrderMustBeTriggeredFirst", f"order {order.order_id} has not triggered")
    market = view.perp_market(order.market_index)
    if fills_paused(view, market):
        raise fail("MarketFillOrderPaused", f"fills in perp market {order.market_index} are paused")
    fills = fill_perp_order(view, accounts.user, index)
    save_fill(view, accounts.user, fills, [market.pubkey])


def trigger_order_ix(view: DriftView, accounts: Any, args: Any) -> None:
    """Fire a trigger order whose condition the oracle meets: a trigger-market order then
    runs its auction from the oracle, a trigger-limit order rests at its price."""
    check_exchange(view)
    user = view.get(accounts.user, "User")
    index = order_index(user, args.order_id)
    order = user.orders[index]
    if not name_of(order.order_type).startswith("Trigger") or name_of(order.trigger_condition).startswith("Triggered"):
        raise fail("OrderNotTriggerable", f"order {order.order_id} is not a pending trigger order")
    oracle = view.perp_oracle_price(order.market_index)
    above = name_of(order.trigger_condition) == "Above"
    if not (oracle > order.trigger_price if above else oracle < order.trigger_price):
        raise fail("OrderDidNotSatisfyTriggerCondition", f"oracle {oracle} has not crossed {order.trigger_price}")
    order.trigger_condition = variant(order.trigger_condition, "TriggeredAbove" if above else "TriggeredBelow")
    order.slot = view.ctx.clock.slot
    if name_of(order.order_type) == "TriggerMarket":
        long = name_of(order.direction) == "Long"
        order.auction_start_price, order.auction_end_price = default_auction(oracle, long, order.price)
        order.auction_duration = view.state().min_perp_auction_duration
    view.save(accounts.user)
