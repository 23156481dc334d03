"""Filling a taker's perp order against resting maker orders and the AMM.

Makers fill first at their own prices, best price first, as long as the taker accepts
that price; the AMM quotes around the oracle and fills the rest once the taker's
auction is over. Every fill moves both positions, charges the taker fee, pays the maker
rebate, and is logged as a `rekt-fill` line the trade feed reads from landed
transactions (so only fills of successful transactions ever become trades).
"""

import json
from dataclasses import asdict, dataclass
from typing import Any

from solders.pubkey import Pubkey

from .constants import BASE_PRECISION, EXCHANGE_AMM_PAUSED, PERP_OP_AMM_FILL
from .fees import charge_taker, referral
from .events import EXPLAIN_AMM, EXPLAIN_MATCH, FillSide, emit_fill, settle_funding_recorded
from .funding import track_funding
from .positions import advance_order, find_perp_position, is_long, is_open, is_perp, perp_position_for, remove_order
from .twaps import record_trade
from .pricing import amm_quote, auction_complete, crosses, is_resting_limit, limit_price
from .view import DriftView

FILL_LOG_PREFIX = "rekt-fill "


@dataclass(frozen=True, slots=True)
class Fill:
    market_index: int
    price: int  # 1e6
    base: int  # 1e9
    taker: str
    taker_order_id: int
    maker: str | None  # None: the AMM (or a liquidation)
    maker_order_id: int | None
    taker_direction: str
    slot: int
    ts: int
    market_type: str = "perp"


def record_fill(view: DriftView, fill: Fill) -> None:
    """Log the fill in the line the trade feed parses."""
    view.ctx.log(FILL_LOG_PREFIX + json.dumps(asdict(fill), separators=(",", ":")))


def _div_toward_zero(numerator: int, denominator: int) -> int:
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def apply_to_position(position: Any, delta_base: int, delta_quote: int, fee: int) -> None:
    """Move a position by a fill: entry and break-even follow Drift's rules on increase,
    reduce and flip; `quote_asset_amount` carries the cash, so realized PnL stays in it
    until settle_pnl moves it to the USDC balance. `fee` is positive for a charge."""
    base = position.base_asset_amount
    new_base = base + delta_base
    if base == 0 or (base > 0) == (delta_base > 0):
        position.quote_entry_amount += delta_quote
        position.quote_break_even_amount += delta_quote
    elif abs(delta_base) <= abs(base):
        position.quote_entry_amount -= _div_toward_zero(position.quote_entry_amount * abs(delta_base), abs(base))
        position.quote_break_even_amount -= _div_toward_zero(
            position.quote_break_even_amount * abs(delta_base), abs(base)
        )
    else:
        opened = _div_toward_zero(delta_quote * abs(new_base), abs(delta_base))
        position.quote_entry_amount = opened
        position.quote_break_even_amount = opened
    position.quote_asset_amount += delta_quote - fee
    position.quote_break_even_amount -= fee
    position.base_asset_amount = new_base


def fee_rates(view: DriftView, perp: bool = True) -> tuple[int, int, int]:
    """Taker fee, maker rebate and their denominator at the first fee tier."""
    structure = view.state().perp_fee_structure if perp else view.state().spot_fee_structure
    tier = structure.fee_tiers[0]
    return tier.fee_numerator, tier.maker_rebate_numerator, tier.fee_denominator


def track_market(market: Any, before: int, after: int) -> None:
    """Keep the market's long/short totals in step with one user's position change."""
    for amount, sign in ((before, -1), (after, 1)):
        if amount > 0:
            market.amm.base_asset_amount_long += sign * amount
        elif amount < 0:
            market.amm.base_asset_amount_short += sign * amount
    market.number_of_users_with_base += (after != 0) - (before != 0)


def _trade(
    view: DriftView, key: Pubkey, user: Any, order_index: int | None, market: Any, delta_base: int, quote: int, fee: int
) -> FillSide:
    """Move the user's position by a fill of `delta_base` for `quote` (both signed, the
    user's change); returns the user's side of the fill for its record."""
    position = perp_position_for(user, market.market_index)
    settle_funding_recorded(view, key, user, position, market)
    before, entry = position.base_asset_amount, position.quote_entry_amount
    order = user.orders[order_index] if order_index is not None else None
    order_fields = (order.order_id, order.base_asset_amount, order.base_asset_amount_filled,
                    order.quote_asset_amount_filled) if order is not None else (0, 0, 0, 0)
    apply_to_position(position, delta_base, quote, fee)
    track_funding(position, market)
    track_market(market, before, position.base_asset_amount)
    if order_index is not None:
        advance_order(user, order_index, position, delta_base, quote)
    closed = 0 if before == 0 or (before > 0) == (delta_base > 0) else min(abs(delta_base), abs(before))
    closed_entry = abs(entry) if closed == abs(before) else abs(entry - position.quote_entry_amount)
    order_id, order_base, filled_base, filled_quote = order_fields
    return FillSide(
        key, order_id, delta_base > 0, order_base, min(order_base, filled_base + abs(delta_base)),
        filled_quote + abs(quote), closed, closed_entry if closed else 0,
    )


def maker_offers(
    view: DriftView, taker_key: Pubkey, taker_order: Any, oracle: int
) -> list[tuple[int, int, Pubkey, int]]:
    """(price, slot, maker key, order index) of every resting order facing the taker in
    the same market, best price first, then oldest."""
    long_taker = is_long(taker_order.direction)
    offers = []
    for key in view.users():
        if key == taker_key:
            continue
        maker = view.get(key, "User")
        for index, order in enumerate(maker.orders):
            same_market = is_perp(order) == is_perp(taker_order) and order.market_index == taker_order.market_index
            if not (is_open(order) and same_market):
                continue
            if is_long(order.direction) == long_taker or not is_resting_limit(order):
                continue
            price = limit_price(order, oracle, view.ctx.clock.slot)
            offers.append((price, order.slot, key, index))
    offers.sort(key=lambda offer: (offer[0] if long_taker else -offer[0], offer[1]))
    return offers


def _reduce_only_cap(user: Any, order: Any, remaining: int) -> int:
    if not order.reduce_only:
        return remaining
    position = find_perp_position(user, order.market_index)
    base = position.base_asset_amount if position else 0
    if base == 0 or (base > 0) == is_long(order.direction):
        return 0
    return min(remaining, abs(base))


def fill_perp_order(view: DriftView, taker_key: Pubkey, order_index: int, *, use_amm: bool = True) -> list[Fill]:
    """Fill as much of the taker's order as makers and the AMM allow at the current slot."""
    taker = view.get(taker_key, "User")
    order = taker.orders[order_index]
    market = view.perp_market(order.market_index)
    oracle = view.oracle_price(market.amm.oracle)
    clock = view.ctx.clock
    long_taker = is_long(order.direction)
    limit = limit_price(order, oracle, clock.slot)
    _, maker_rebate, denominator = fee_rates(view)
    referred = referral(view, taker)
    order_id = order.order_id
    fills: list[Fill] = []

    def trade(size: int, price: int, maker_key: Pubkey | None, maker_index: int | None) -> None:
        signed = size if long_taker else -size
        quote = size * price // BASE_PRECISION
        maker_order_id = maker_side = None
        maker_fee = 0
        # A match moves the same quote both ways; against the AMM the taker's side rounds
        # in the protocol's favour (buyers pay rounded up, sellers get rounded down).
        taker_quote = -quote if long_taker else quote
        if maker_key is not None:
            maker = view.get(maker_key, "User")
            maker_order_id = maker.orders[maker_index].order_id
            maker_fee = -(quote * maker_rebate // denominator)
            maker_side = _trade(view, maker_key, maker, maker_index, market, -signed, -taker_quote, maker_fee)
        else:
            taker_quote = -signed * price // BASE_PRECISION
        taker_fee = charge_taker(view, referred, market, quote)
        taker_side = _trade(view, taker_key, taker, order_index, market, signed, taker_quote, taker_fee)
        emit_fill(
            view, market, base=size, quote=abs(taker_quote), taker=taker_side, maker=maker_side,
            taker_fee=taker_fee, maker_fee=maker_fee, oracle=oracle,
            explanation=EXPLAIN_MATCH if maker_key is not None else EXPLAIN_AMM,
        )
        if maker_key is None:
            market.amm.base_asset_amount_with_amm += signed
        record_trade(market, price, quote, clock.unix_timestamp)
        fill = Fill(
            market.market_index, price, size, str(taker_key), order_id,
            str(maker_key) if maker_key else None, maker_order_id,
            "long" if long_taker else "short", clock.slot, clock.unix_timestamp,
        )
        fills.append(fill)
        record_fill(view, fill)

    for price, _, maker_key, maker_index in maker_offers(view, taker_key, order, oracle):
        remaining = _reduce_only_cap(taker, order, order.base_asset_amount - order.base_asset_amount_filled)
        if remaining == 0 or not crosses(long_taker, limit, price):
            break
        maker = view.get(maker_key, "User")
        maker_order = maker.orders[maker_index]
        available = _reduce_only_cap(
            maker, maker_order, maker_order.base_asset_amount - maker_order.base_asset_amount_filled
        )
        if available:
            trade(min(remaining, available), price, maker_key, maker_index)
        if not is_open(taker.orders[order_index]) or taker.orders[order_index].order_id != order_id:
            break
    still_open = is_open(taker.orders[order_index]) and taker.orders[order_index].order_id == order_id
    amm_allowed = use_amm and not (
        view.state().exchange_status & EXCHANGE_AMM_PAUSED or market.paused_operations & PERP_OP_AMM_FILL
    )
    if still_open and amm_allowed and (auction_complete(order, clock.slot) or not order.auction_duration):
        quote_price = amm_quote(market, oracle, long_taker)
        remaining = _reduce_only_cap(taker, order, order.base_asset_amount - order.base_asset_amount_filled)
        if remaining and crosses(long_taker, limit, quote_price) and not order.post_only:
            trade(remaining, quote_price, None, None)
    _drop_unfillable_reduce_only(taker, order_index, order_id)
    return fills


def _drop_unfillable_reduce_only(user: Any, index: int, order_id: int) -> None:
    order = user.orders[index]
    if is_open(order) and order.order_id == order_id and _reduce_only_cap(user, order, 1) == 0:
        remove_order(user, index)


def save_fill(view: DriftView, taker_key: Pubkey, fills: list[Fill], markets: list[Pubkey]) -> None:
    """Mark the taker, every maker that traded, and the markets whose totals moved."""
    view.save(taker_key)
    makers = {fill.maker for fill in fills if fill.maker is not None}
    for key in view.users():
        if str(key) in makers:
            view.save(key)
    for market in markets:
        view.save(market, required=False)
