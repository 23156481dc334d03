"""Orders on the relaunch's on-chain book: checks every order passes, and resting (maker) orders.

`place_and_make_perp_order_v1` rests a post-only limit order on the market's book (it never
takes: one that would cross fails with PlacePostOnlyLimitFailure, 6057) and reserves the
user's margin for it through the position's `open_bids` / `open_asks`; a reduce-only order
cannot rest (ReduceOnlyOrderCannotRestOnClob, 6401). The order becomes matchable
`activation_delay_slots` after it is placed (the argument, else the program's default; less
than the default needs the flow authority's signature, else UnattestedFastActivation, 6382).
Resting orders are not in `User.orders`: the book lists them (and the DLOB's `/userOrders`).
"""

from dataclasses import dataclass
from typing import Any

from solders.pubkey import Pubkey

from .book import ASK, BID, Book, RestingOrder
from .clob import load_book, store_book
from .collateral import authorized_user
from .errors import fail
from .events import emit_order_action
from .margin import require_initial_margin
from .positions import perp_position_for
from .view import VelocityView


@dataclass(frozen=True)
class Checked:
    """An order's parameters after the checks every order passes."""

    market_index: int
    side: int
    base: int
    price: int  # 0: no limit (a market order)
    reduce_only: bool
    user_order_id: int
    max_ts: int


def check_order(
    view: VelocityView, params: dict[str, Any], types: tuple[str, ...] = ("Limit", "Market")
) -> tuple[Checked, dict[str, Any]]:
    """The checked order and its perp market (which must be among the accounts); `types` are
    the order types the instruction accepts."""
    if params["market_type"] != "Perp":
        raise fail("InvalidOrderMarketType", "the book takes perp orders only")
    _, market = view.perp_market(params["market_index"])
    if market["status"] != "Active":
        raise fail("MarketPlaceOrderPaused", f"perp market {params['market_index']} is not active")
    base, step = params["base_asset_amount"], market["order_step_size"]
    if base < max(step, market["market_stats"]["min_order_size"]):
        raise fail("InvalidOrderSizeTooSmall", f"the order is {base}; the minimum is {step}")
    if base % step:
        raise fail("InvalidOrderNotStepSizeMultiple", f"the order size {base} is not a multiple of {step}")
    side = BID if params["direction"] == "Long" else ASK
    tick, price = market["order_tick_size"], params["price"]
    if params["order_type"] in ("Limit", "TriggerLimit") and price == 0:
        raise fail("InvalidOrderLimitPrice", "a limit order needs a price")
    if params["order_type"] not in types:
        raise fail("InvalidOrder", f"this instruction places {' or '.join(types)} orders, not {params['order_type']}")
    price = price // tick * tick if side == BID else -(-price // tick) * tick  # to the tick, never worse
    return Checked(params["market_index"], side, base, price, params["reduce_only"], params["user_order_id"],
                   params["max_ts"] or 0), market  # fmt: skip


def reserve(position: dict[str, Any], user: dict[str, Any], side: int, base: int, count: int) -> None:
    """Count (`count` 1) or release (-1) an open order in the position and the user, reserving
    (positive `base`) or releasing (negative) its size in `open_bids` / `open_asks`."""
    position["open_orders"] += count
    user["open_orders"] += count
    user["has_open_order"] = user["open_orders"] > 0
    if side == BID:
        position["open_bids"] += base
    else:
        position["open_asks"] -= base


def unfill_reservation(position: dict[str, Any], side: int, base: int) -> None:
    """A resting order filled `base`: that much is no longer open."""
    if side == BID:
        position["open_bids"] -= base
    else:
        position["open_asks"] += base


def crosses(book: Book, side: int, price: int, slot: int) -> bool:
    opposite = [o for o in book.side(ASK if side == BID else BID) if o.active_slot <= slot]
    if not opposite:
        return False
    best = opposite[0].price
    return price >= best if side == BID else price <= best


def rest(
    view: VelocityView, user_key: Pubkey, user: dict[str, Any], book: Book, order: Checked,
    delay: int | None, default_delay: int, attested: bool,
) -> RestingOrder:
    """Put `order` on the book as the user's maker order, reserving its margin (checked by the
    caller); a delay below the default needs the flow authority's attestation (6382)."""
    if book.full:
        raise fail("QuoterSlabFull", f"the book of perp market {order.market_index} is full")
    if delay is not None and delay < default_delay and not attested:
        raise fail("UnattestedFastActivation", f"an activation delay under {default_delay} slots needs attestation")
    slot = view.ctx.clock.slot
    resting = book.add(RestingOrder(
        0, 0, user_key, user["authority"], order.side, order.price, order.base, order.base,
        order.user_order_id, slot, slot + (default_delay if delay is None else delay), order.max_ts,
    ))  # fmt: skip
    reserve(perp_position_for(user, order.market_index), user, order.side, order.base, 1)
    user["last_active_slot"] = slot
    emit_order_action(view, "Place", resting, order.market_index, maker=user_key)
    return resting


def place_and_make(view: VelocityView, accounts: Any, args: dict[str, Any], default_delay: int) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    params = args["args"]["params"]
    if params["reduce_only"]:
        raise fail("ReduceOnlyOrderCannotRestOnClob", "a reduce-only order cannot rest on the book")
    if params["order_type"] != "Limit":
        raise fail("InvalidOrderPostOnly", "only limit orders rest on the book")
    order, _ = check_order(view, params)
    book = load_book(view.ctx, accounts.clob_market, accounts.quoter_slab, order.market_index)
    if crosses(book, order.side, order.price, view.ctx.clock.slot):
        raise fail("PlacePostOnlyLimitFailure", "the order would cross the book")
    delay = args["args"]["activation_delay_slots"]
    rest(view, accounts.user, user, book, order, delay, default_delay, accounts.flow_authority is not None)
    require_initial_margin(view, user, "this order")
    store_book(view.ctx, book)
    view.save(accounts.user)


def remove_resting(view: VelocityView, user_key: Pubkey, user: dict[str, Any], book: Book, order: RestingOrder,
                   explanation: str = "None") -> None:  # fmt: skip
    """Take a resting order off the book and out of its owner's open orders."""
    book.remove(order)
    position = perp_position_for(user, book.market_index)
    reserve(position, user, order.side, -order.base_remaining, -1)
    emit_order_action(view, "Cancel", order, book.market_index, maker=user_key, explanation=explanation)
