"""Our order intents as the relaunched program's order instructions.

- market orders, reduce-only closes and limits that cross the book when built:
  `place_and_take_perp_order_v1` against the market's on-chain book, naming its makers; what
  does not fill at once is cancelled (the program rests nothing a taker leaves: a marketable
  limit here is immediate-or-cancel);
- post-only limits, and limits that do not cross: `place_and_make_perp_order_v1` (they rest on
  the book, never take);
- stops and take-profits: `place_trigger_orders_v1` (armed in `User.orders`);
- cancels: `cancel_order_v1` by book reference for book orders, `cancel_order(s)` for triggers.

Every order carries its `user_order_id`, so a crash after sending can find it on chain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from solders.instruction import AccountMeta, Instruction

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.orders import OrderRequest
from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.velocity import trader_actions as act
from rekt_tui.velocity.book_orders import BookOrder
from rekt_tui.velocity.chain_view import ChainView
from rekt_tui.velocity.codec import trader_instructions as ix
from rekt_tui.velocity.makers import TakerBook
from rekt_tui.velocity.codec.order_params import (
    Direction as Side, OrderModification, OrderParams, OrderType as ProgramOrderType, TriggerCondition,
)  # fmt: skip

MAX_USER_ORDER_ID = 255
_TYPES: dict[OrderType, ProgramOrderType] = {
    OrderType.MARKET: "Market", OrderType.LIMIT: "Limit", OrderType.TRIGGER_MARKET: "TriggerMarket",
    OrderType.TRIGGER_LIMIT: "TriggerLimit",
}  # fmt: skip
_CONDITIONS: dict[str, TriggerCondition] = {"above": "Above", "below": "Below"}
Auction = tuple[int, int, int]


def _side(direction: Direction) -> Side:
    return "Long" if direction is Direction.LONG else "Short"


def params_for(request: OrderRequest, auction: Auction | None) -> OrderParams:
    if request.market.market_type is not MarketType.PERP:
        raise RektError(f"{request.market.symbol} is not a perp market; orders here are for perps.")
    if request.order_type not in _TYPES:
        raise RektError(f"{request.order_type.value} orders are not supported on this venue.")
    if not 1 <= request.user_order_id <= MAX_USER_ORDER_ID:
        raise RektError(f"user_order_id must be 1-{MAX_USER_ORDER_ID} (got {request.user_order_id}).")
    start, end, duration = auction or (None, None, None)
    price = request.price or 0
    if request.order_type is OrderType.MARKET and end is not None:
        price = end  # the worst price the taker accepts on the book
    triggered = request.trigger_price is not None
    condition = request.trigger_condition.value if request.trigger_condition else "above"
    return OrderParams(
        order_type=_TYPES[request.order_type], direction=_side(request.direction),
        base_asset_amount=request.base_amount, price=price, market_index=request.market.market_index,
        user_order_id=request.user_order_id, reduce_only=request.reduce_only,
        post_only="MustPostOnly" if request.post_only else "None", max_ts=request.max_ts or None,
        trigger_price=request.trigger_price if triggered else None, trigger_condition=_CONDITIONS[condition],
        auction_duration=duration, auction_start_price=start, auction_end_price=end,
    )  # fmt: skip


def _check_unique(view: ChainView, book: Sequence[BookOrder], user_order_ids: Sequence[int]) -> None:
    if len(set(user_order_ids)) != len(user_order_ids):
        raise RektError("Orders placed together need distinct user order ids.")
    live = {o.user_order_id for o in view.require_user().orders if o.status == "Open"}
    live |= {b.order.user_order_id for b in book}
    taken = sorted(set(user_order_ids) & live)
    if taken:
        raise RektError(f"An open order already carries user_order_id {taken[0]}; pick another.")


def require_makers(symbol: str, direction: Direction, makers: Sequence[AccountMeta]) -> None:
    """A taker naming no makers lands and fills nothing: refused before anything is signed."""
    if not makers:
        side = "asks" if direction is Direction.LONG else "bids"
        raise RektError(f"The {symbol} book has no {side} to take from, so this order would fill nothing; "
                        "nothing was signed.")  # fmt: skip


def instruction_for(view: ChainView, params: OrderParams, book: TakerBook | None = None) -> Instruction:
    """`book` None: checked before the book is read (a taker's makers are named when it is built)."""
    if params.trigger_price is not None:
        return act.triggers(view, [params])
    known = book or TakerBook()
    if not _takes(params, known):
        return act.make(view, params)
    if book is not None:
        require_makers(view.perp(params.market_index).symbol, _direction(params), book.makers)
    return act.take(view, params, known.makers)


def _direction(params: OrderParams) -> Direction:
    return Direction.LONG if params.direction == "Long" else Direction.SHORT


def _takes(params: OrderParams, book: TakerBook) -> bool:
    """A taker: not post-only, and not a limit that would rest (one that crosses the book takes)."""
    if params.post_only != "None":
        return False
    return params.order_type != "Limit" or params.reduce_only or book.crosses(_direction(params), params.price)


def place_orders(
    view: ChainView, requests: Sequence[OrderRequest], auction: Auction | None, book: Sequence[BookOrder],
    taker: TakerBook | None = None,
) -> list[Instruction]:
    """An entry and its bracket in one transaction: all placed, or none (the auction is the first's).
    `taker` None checks the orders before the book is read."""
    _check_unique(view, book, [r.user_order_id for r in requests])
    for request in requests:
        view.perp(request.market.market_index)
    params = [params_for(r, auction if n == 0 else None) for n, r in enumerate(requests)]
    placed = [instruction_for(view, p, taker) for p in params if p.trigger_price is None]
    armed = [p for p in params if p.trigger_price is not None]
    taking = [p.market_index for p in params if p.trigger_price is None and _takes(p, taker or TakerBook())]
    return act.referral_room(view, taking) + placed + ([act.triggers(view, armed)] if armed else [])


def close_position(
    view: ChainView, market_index: int, *, user_order_id: int, max_ts: int, auction: Auction,
    base_amount: int | None = None, makers: Sequence[AccountMeta] = (),
) -> list[Instruction]:  # fmt: skip
    """A reduce-only market order for the position the chain holds (or `base_amount` of it)."""
    user = view.require_user()
    held = next((p for p in user.perp_positions if p.market_index == market_index), None)
    base = held.base_asset_amount if held else 0
    if base == 0:
        raise RektError(f"There is no open position in perp market {market_index} to close.")
    size = abs(base) if base_amount is None else min(base_amount, abs(base))
    start, end, duration = auction
    params = OrderParams(
        order_type="Market", direction="Short" if base > 0 else "Long", base_asset_amount=size, price=end,
        market_index=market_index, user_order_id=user_order_id, reduce_only=True, max_ts=max_ts,
        auction_duration=duration, auction_start_price=start, auction_end_price=end,
    )  # fmt: skip
    return [*act.referral_room(view, [market_index]), act.take(view, params, makers)]


def cancel_orders(view: ChainView, order_ids: Sequence[int] | None, book: Sequence[BookOrder]) -> list[Instruction]:
    """These orders (book orders by their reference, triggers by id), or all for None."""
    user = view.require_user()
    triggers = {o.order_id for o in user.orders if o.status == "Open"}
    by_id: Mapping[int, BookOrder] = {b.order.order_id: b for b in book}
    if order_ids is None:
        markets = sorted({b.order.market_index for b in book})
        instructions = [
            ix.cancel_orders_v1(view.program, view.authority, act.SUB_ACCOUNT, m, "Both", act.book(view, m),
                                act.remaining_accounts(view, readable_perps=[m]))
            for m in markets
        ]  # fmt: skip
        if triggers:
            instructions += act.cancel_triggers(view, None)
        if not instructions:
            raise RektError("There are no open orders to cancel.")
        return instructions
    instructions = []
    for order_id in order_ids:
        if order_id in by_id:
            found = by_id[order_id]
            market = found.order.market_index
            instructions.append(ix.cancel_order_v1(view.program, view.authority, act.SUB_ACCOUNT, market, found.ref,
                                                   act.book(view, market), act.remaining_accounts(view)))  # fmt: skip
        elif order_id in triggers:
            instructions += act.cancel_triggers(view, [order_id])
        else:
            raise RektError(f"There is no open order {order_id} to cancel.")
    return instructions


def modify_order(view: ChainView, order_id: int, request: OrderRequest, book: Sequence[BookOrder]) -> list[Instruction]:
    """A book order changes in place (`modify_order_v1`); a trigger is cancelled and re-armed."""
    found = next((b for b in book if b.order.order_id == order_id), None)
    if found is not None:
        market = found.order.market_index
        change = OrderModification(market_index=market, order_ref=found.ref, price=request.price,
                                   base_asset_amount=request.base_amount, max_ts=request.max_ts or None)  # fmt: skip
        return [ix.modify_order_v1(view.program, view.authority, act.SUB_ACCOUNT, change, act.book(view, market),
                                   remaining=act.remaining_accounts(view, writable_perps=[market]))]  # fmt: skip
    if not any(o.order_id == order_id and o.status == "Open" for o in view.require_user().orders):
        raise RektError(f"There is no open order {order_id} to modify.")
    return [*act.cancel_triggers(view, [order_id]), act.triggers(view, [params_for(request, None)])]
