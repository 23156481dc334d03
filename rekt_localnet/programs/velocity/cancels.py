"""Cancelling resting book orders: one by its `OrderRef`, or every order of a side (or both)."""

from typing import Any

from .book import ASK, BID
from .clob import load_book, store_book
from .collateral import authorized_user
from .errors import fail
from .orders import remove_resting
from .view import VelocityView

_SIDES = {"Bids": (BID,), "Asks": (ASK,), "Both": (BID, ASK)}


def cancel_order_v1(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    params = args["params"]
    book = load_book(view.ctx, accounts.clob_market, accounts.quoter_slab, params["market_index"])
    ref = params["order_ref"]
    order = book.find(ref["node_index"], ref["order_id"])
    if order is None or order.user != accounts.user:
        raise fail("OrderDoesNotExist", f"no resting order {ref['order_id']} at node {ref['node_index']} of this user")
    remove_resting(view, accounts.user, user, book, order)
    store_book(view.ctx, book)
    view.save(accounts.user)


def cancel_orders_v1(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    params = args["params"]
    book = load_book(view.ctx, accounts.clob_market, accounts.quoter_slab, params["market_index"])
    sides = _SIDES[params["sides"]]
    for order in [o for o in book.of_user(accounts.user) if o.side in sides]:
        remove_resting(view, accounts.user, user, book, order)
    store_book(view.ctx, book)
    view.save(accounts.user)
