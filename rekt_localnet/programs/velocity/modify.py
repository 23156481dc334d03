"""`modify_order_v1`: reprice or resize a resting book order, as a cancel and replace.

The original leaves the book first; the replacement (a new order id, the same user order id)
takes the given fields and keeps the others (`base_asset_amount` None keeps the remaining
size, `max_ts` Some(0) makes it good-till-cancelled). One margin check covers the net change.
A replacement that would cross the book fails as a post-only order does (6057), unless
`reject_if_crossed` asks to be left with no order instead.
"""

from dataclasses import replace
from typing import Any

from .clob import load_book, store_book
from .collateral import authorized_user
from .errors import fail
from .margin import require_initial_margin
from .orders import check_order, crosses, remove_resting, rest
from .view import VelocityView


def modify_order_v1(view: VelocityView, accounts: Any, args: dict[str, Any], default_delay: int) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    change = args["params"]
    book = load_book(view.ctx, accounts.clob_market, accounts.quoter_slab, change["market_index"])
    ref = change["order_ref"]
    original = book.find(ref["node_index"], ref["order_id"])
    if original is None or original.user != accounts.user:
        raise fail("OrderDoesNotExist", f"no resting order {ref['order_id']} at node {ref['node_index']} of this user")
    remove_resting(view, accounts.user, user, book, original)
    params = {
        "market_type": "Perp", "market_index": change["market_index"], "order_type": "Limit",
        "direction": original.direction, "reduce_only": False, "user_order_id": original.user_order_id,
        "base_asset_amount": change["base_asset_amount"] if change["base_asset_amount"] is not None else original.base_remaining,
        "price": change["price"] if change["price"] is not None else original.price,
        "max_ts": change["max_ts"] if change["max_ts"] is not None else original.max_ts,
    }  # fmt: skip
    order, _ = check_order(view, params)
    order = replace(order, max_ts=params["max_ts"])
    if crosses(book, order.side, order.price, view.ctx.clock.slot):
        if not change["reject_if_crossed"]:
            raise fail("PlacePostOnlyLimitFailure", "the replacement would cross the book")
    else:
        rest(view, accounts.user, user, book, order, change["activation_delay_slots"], default_delay,
             accounts.flow_authority is not None)  # fmt: skip
    require_initial_margin(view, user, "the modified order")
    store_book(view.ctx, book)
    view.save(accounts.user)

