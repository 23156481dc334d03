"""`place_and_take_perp_order_v1`: a taker order matched at once against the market's book.

The taker's order walks the opposite side best price first (oldest first within a price),
skipping orders not yet active (the activation delay), expired ones, and the taker's own. A
maker's order fills only when its User is among the instruction's remaining accounts
(writable; its UserStats too, for its volume and rebate), since a program can change only
the accounts a transaction names: the DLOB's `/l3` lists each resting order's maker. What
does not fill rests on the book when the order can rest (a limit order, neither reduce-only
nor immediate-or-cancel, whose price crosses nothing left on the book), else it is cancelled;
`success_condition` (1: some fill, 2: a full fill) fails the whole transaction when unmet.
Fills move both positions at the maker's price; the taker pays the fee tier's taker fee (less
the referee discount its escrow earns, `referral`), the maker earns its rebate. A
risk-increasing fill must leave the taker above initial margin.
Each fill is also logged in the Drift simulation's `rekt-fill` line, which the localnet's trade
feed (the DLOB `trades` channel) and market history read.
"""

from dataclasses import replace
from typing import Any

from rekt_localnet.programs.drift.matching import Fill
from rekt_localnet.programs.drift.matching import record_fill as record_trade

from .book import BID, Book, RestingOrder
from .clob import load_book, store_book
from .collateral import authorized_user
from .constants import BASE_PRECISION
from .errors import fail
from .events import emit, emit_fill
from .funding import move_mark, settle_funding, track_funding
from .margin import require_initial_margin
from .orders import Checked, check_order, crosses, rest, unfill_reservation
from .positions import apply_fill, find_perp_position, market_open_interest, perp_position_for
from .referral import refer, taker_escrow
from .view import VelocityView

PARTIAL_FILL, FULL_FILL = 1, 2


def _fees(view: VelocityView, quote: int) -> tuple[int, int]:
    tier = view.state()["perp_fee_structure"]["fee_tiers"][0]
    fee = -(-quote * tier["fee_numerator"] // tier["fee_denominator"])
    rebate = quote * tier["maker_rebate_numerator"] // tier["maker_rebate_denominator"]
    return fee, rebate


def _limit_reached(order: Checked, price: int) -> bool:
    if order.price == 0:
        return False
    return price > order.price if order.side == BID else price < order.price


def _reduce_only_size(user: dict[str, Any], order: Checked) -> int:
    position = find_perp_position(user, order.market_index)
    base = 0 if position is None else position["base_asset_amount"]
    if base == 0 or (base > 0) == (order.side == BID):
        raise fail("InvalidOrderNotRiskReducing", "a reduce-only order must shrink the position")
    return min(order.base, abs(base))


def _fill_maker(
    view: VelocityView, maker: RestingOrder, market: dict[str, Any], base: int, quote: int, rebate: int
) -> tuple[int, int]:
    """Move the maker's position; returns the base and entry the fill closed (for its record)."""
    user = view.get(maker.user, "User")
    position = perp_position_for(user, market["market_index"])
    unfill_reservation(position, maker.side, base)
    if maker.base_remaining == 0:
        position["open_orders"] -= 1
        user["open_orders"] -= 1
        user["has_open_order"] = user["open_orders"] > 0
    before = position["base_asset_amount"]
    settle_funding(view, maker.user, user, position, market)
    closed = apply_fill(position, base if maker.side == BID else -base, -quote if maker.side == BID else quote, -rebate)
    track_funding(position, market)
    market_open_interest(market, before, position["base_asset_amount"])
    user["last_active_slot"] = view.ctx.clock.slot
    view.save(maker.user)
    stats_key = next((k for k in view.keys("UserStats") if view.get(k, "UserStats")["authority"] == maker.authority), None)
    if stats_key is not None and stats_key in view.writable:
        stats = view.get(stats_key, "UserStats")
        stats["maker_volume_30d"] += quote
        stats["fees"]["total_fee_rebate"] += rebate
        view.save(stats_key)
    return closed


def _taker_order(user: dict[str, Any], order: Checked, params: dict[str, Any]) -> dict[str, Any]:
    order_id = user["next_order_id"]
    user["next_order_id"] += 1
    return {"order_id": order_id, "direction": params["direction"], "base_asset_amount": order.base,
            "base_asset_amount_filled": 0, "quote_asset_amount_filled": 0}  # fmt: skip


def match(view: VelocityView, accounts: Any, book: Book, order: Checked, size: int, taker: dict[str, Any],
           market: dict[str, Any]) -> tuple[int, int, int]:  # fmt: skip
    """Fill up to `size` against the book; (base filled, quote filled, taker fee)."""
    now, slot = view.ctx.clock.unix_timestamp, view.ctx.clock.slot
    oracle = view.oracle_price(market["oracle"])
    user = view.get(accounts.user, "User")
    stats = view.get(accounts.user_stats, "UserStats")
    escrow = taker_escrow(view, user["authority"], stats)
    position = perp_position_for(user, order.market_index)
    filled = quote_total = fee_total = 0
    for maker in book.side(1 - order.side):
        if filled == size or _limit_reached(order, maker.price):
            break
        usable = maker.active_slot <= slot and (maker.max_ts == 0 or maker.max_ts >= now)
        if not usable or maker.user == accounts.user or maker.user not in view.keys("User"):
            continue
        base = min(size - filled, maker.base_remaining)
        quote = base * maker.price // BASE_PRECISION
        fee, rebate = _fees(view, quote)
        discount, reward = refer(view, escrow, market, fee)
        fee -= discount
        stats["fees"]["total_referee_discount"] += discount
        before = position["base_asset_amount"]
        settle_funding(view, accounts.user, user, position, market)
        signed_base, signed_quote = (base, -quote) if order.side == BID else (-base, quote)
        taker_closed = apply_fill(position, signed_base, signed_quote, fee)
        track_funding(position, market)
        move_mark(market, maker.price, now)
        market_open_interest(market, before, position["base_asset_amount"])
        left = maker.base_remaining - base
        updated = replace(maker, base_remaining=left)
        if left:
            book.replace(updated)
        else:
            book.remove(maker)
        maker_closed = _fill_maker(view, updated, market, base, quote, rebate)
        filled, quote_total, fee_total = filled + base, quote_total + quote, fee_total + fee
        taker.update(base_asset_amount_filled=filled, quote_asset_amount_filled=quote_total)
        record_trade(view, Fill(order.market_index, maker.price, base, str(accounts.user), taker["order_id"], str(maker.user),
                                maker.order_id & 0xFFFF_FFFF, "long" if order.side == BID else "short", slot, now))  # fmt: skip
        emit_fill(view, market, taker=accounts.user, taker_order=taker, maker=maker.user, maker_order=updated,
                  base=base, quote=quote, taker_fee=fee, maker_rebate=rebate, referrer_reward=reward,
                  oracle_price=oracle,
                  taker_closed=taker_closed, maker_closed=maker_closed)  # fmt: skip
        market["last_fill_price"] = maker.price
    return filled, quote_total, fee_total


IMMEDIATE_OR_CANCEL = 1  # OrderParams.bit_flags


def place_and_take(view: VelocityView, accounts: Any, args: dict[str, Any], default_delay: int) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    params, condition = args["args"]["params"], args["args"]["success_condition"]
    order, market = check_order(view, params)
    market_key, _ = view.perp_market(order.market_index)
    size = _reduce_only_size(user, order) if order.reduce_only else order.base
    book = load_book(view.ctx, accounts.clob_market, accounts.quoter_slab, order.market_index)
    taker = _taker_order(user, order, params)
    emit(view, "OrderActionRecord", action="Place", market_index=order.market_index, market_type="Perp",
         taker=accounts.user, taker_order_id=taker["order_id"], taker_order_direction=params["direction"],
         taker_order_base_asset_amount=order.base)  # fmt: skip
    position = find_perp_position(user, order.market_index)
    exposure_before = 0 if position is None else abs(position["base_asset_amount"])
    filled, quote, fee = match(view, accounts, book, order, size, taker, market)
    if condition == FULL_FILL and filled < order.base or condition == PARTIAL_FILL and filled == 0:
        raise fail("PlaceAndTakeOrderSuccessConditionFailed", f"filled {filled} of {order.base}")
    left = replace(order, base=order.base - filled)
    can_rest = params["order_type"] == "Limit" and not order.reduce_only and not params["bit_flags"] & IMMEDIATE_OR_CANCEL
    if left.base and can_rest and not crosses(book, order.side, order.price, view.ctx.clock.slot):
        rest(view, accounts.user, user, book, left, None, default_delay, accounts.flow_authority is not None)
        require_initial_margin(view, user, "the order's resting remainder")
    elif left.base:
        emit(view, "OrderActionRecord", action="Cancel", market_index=order.market_index, market_type="Perp",
             taker=accounts.user, taker_order_id=taker["order_id"], taker_order_direction=params["direction"],
             taker_order_base_asset_amount=order.base, taker_order_cumulative_base_asset_amount_filled=filled)  # fmt: skip
    position = perp_position_for(user, order.market_index)
    if abs(position["base_asset_amount"]) > exposure_before:
        require_initial_margin(view, user, "this order")
    stats = view.get(accounts.user_stats, "UserStats")
    stats["taker_volume_30d"] += quote
    stats["fees"]["total_fee_paid"] += fee
    market["amm"]["total_fee"] += fee
    user["last_active_slot"] = view.ctx.clock.slot
    store_book(view.ctx, book)
    view.save(accounts.user)
    view.save(accounts.user_stats)
    view.save(market_key)

