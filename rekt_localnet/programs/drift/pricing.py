"""Prices an order may trade at: auctions, limits, oracle offsets, and the AMM's quotes.

A market order opens with a Dutch auction: its acceptable price walks from the auction
start to the auction end over `auction_duration` slots, during which only makers may
fill it; the AMM takes what is left once the auction is over.
"""

from typing import Any

from .constants import DEFAULT_AUCTION_END_OFFSET, PERCENTAGE_PRECISION
from .positions import name_of

MARKET_TYPES = ("Market", "TriggerMarket")


def round_to_tick(price: int, tick: int, up: bool) -> int:
    return -(-price // tick) * tick if up else price // tick * tick


def amm_quote(market: Any, oracle_price: int, long_taker: bool) -> int:
    """The AMM's ask (to a buyer) or bid (to a seller), on the market's tick."""
    half_spread = oracle_price * market.amm.base_spread // (2 * PERCENTAGE_PRECISION)
    tick = market.amm.order_tick_size
    if long_taker:
        return round_to_tick(oracle_price + half_spread, tick, up=True)
    return max(tick, round_to_tick(oracle_price - half_spread, tick, up=False))


def default_auction(oracle_price: int, long: bool, limit: int) -> tuple[int, int]:
    """Start and end prices for a market order placed without an auction: from the oracle
    to half a percent beyond it, never past the order's own limit."""
    offset = oracle_price * DEFAULT_AUCTION_END_OFFSET // PERCENTAGE_PRECISION
    end = oracle_price + offset if long else oracle_price - offset
    if limit:
        end = min(end, limit) if long else max(end, limit)
    return oracle_price, end


def auction_complete(order: Any, slot: int) -> bool:
    return slot - order.slot >= order.auction_duration


def auction_price(order: Any, slot: int) -> int:
    elapsed = min(slot - order.slot, order.auction_duration)
    if order.auction_duration == 0:
        return order.auction_end_price
    delta = (order.auction_end_price - order.auction_start_price) * elapsed // order.auction_duration
    return order.auction_start_price + delta


def limit_price(order: Any, oracle_price: int, slot: int) -> int | None:
    """The worst price the order accepts now (None: any price, a market order without limit)."""
    kind = name_of(order.order_type)
    if kind == "Oracle" or (order.oracle_price_offset and kind == "Limit"):
        return oracle_price + order.oracle_price_offset
    if kind in MARKET_TYPES:
        if order.auction_duration and not auction_complete(order, slot):
            return auction_price(order, slot)
        if order.price:
            return order.price
        return order.auction_end_price or None
    return order.price


def crosses(long_taker: bool, limit: int | None, price: int) -> bool:
    """Whether a taker with this limit accepts `price`."""
    if limit is None:
        return True
    return price <= limit if long_taker else price >= limit


def is_resting_limit(order: Any) -> bool:
    """A maker-side order: a limit or oracle order with no auction still running."""
    return name_of(order.order_type) in ("Limit", "Oracle") or (
        name_of(order.order_type) == "TriggerLimit" and name_of(order.trigger_condition).startswith("Triggered")
    )
