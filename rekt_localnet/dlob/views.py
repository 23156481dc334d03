"""The JSON the DLOB API answers, built from a book snapshot.

Prices are integer strings in 1e6 and sizes integer strings in 1e9, as the DLOB server
sends them. Mark price and spread follow Drift's own definitions: the mid of the best
bid and ask (or, when they cross, the one nearer the oracle, or the oracle between
them); `spreadQuote` is ask minus bid (never negative) and `spreadPct` that spread as a
percentage of the mark in 1e6 (PERCENTAGE_PRECISION). Both are left out when a side is
empty, as the DLOB server does.
"""

import time
from fractions import Fraction

from rekt_localnet.dlob.book import Snapshot
from rekt_localnet.dlob.levels import Level

PERCENTAGE_PRECISION = 10**6
BASE_PRECISION = 10**9
PRICE_PRECISION = 10**6
ALL_LEVELS = -1


def mark_price(best_bid: int | None, best_ask: int | None, oracle: int) -> int:
    if best_bid is not None and best_ask is not None:
        if best_bid > best_ask:
            if best_bid > oracle and best_ask > oracle:
                return min(best_bid, best_ask)
            if best_bid < oracle and best_ask < oracle:
                return max(best_bid, best_ask)
            return oracle
        return (best_bid + best_ask) // 2
    return oracle


def _spread_fields(bids: list[Level], asks: list[Level], oracle: int) -> dict:
    if not bids or not asks:
        return {}
    best_bid, best_ask = bids[0].price, asks[0].price
    mark = mark_price(best_bid, best_ask, oracle)
    spread = max(best_ask - best_bid, 0)
    return {
        "markPrice": str(mark),
        "bestBidPrice": str(best_bid),
        "bestAskPrice": str(best_ask),
        "spreadPct": str(spread * 100 * PERCENTAGE_PRECISION // mark),
        "spreadQuote": str(spread),
    }


def _market_fields(snapshot: Snapshot) -> dict:
    market = snapshot.market
    return {
        "marketName": market.name,
        "marketType": market.market_type,
        "marketIndex": market.index,
        "ts": int(time.time() * 1000),
        "slot": snapshot.slot,
        "oracle": snapshot.oracle.price,
        "oracleData": snapshot.oracle.to_json(),
        "marketSlot": snapshot.market_slot,
    }


def _cut(levels: list, depth: int) -> list:
    return levels if depth == ALL_LEVELS else levels[:depth]


def l2(snapshot: Snapshot, *, depth: int, include_vamm: bool) -> dict:
    bids = snapshot.levels(bids=True, include_vamm=include_vamm)
    asks = snapshot.levels(bids=False, include_vamm=include_vamm)
    return {
        "bids": [level.to_json() for level in _cut(bids, depth)],
        "asks": [level.to_json() for level in _cut(asks, depth)],
        **_market_fields(snapshot),
        **_spread_fields(bids, asks, snapshot.oracle.price),
    }


def l3(snapshot: Snapshot) -> dict:
    return {
        "bids": [order.to_json() for order in snapshot.l3_bids],
        "asks": [order.to_json() for order in snapshot.l3_asks],
        **_market_fields(snapshot),
    }


def top_makers(snapshot: Snapshot, *, bids: bool, limit: int | None) -> list[str]:
    """Distinct maker User accounts in book priority order."""
    makers: list[str] = []
    for order in snapshot.l3_bids if bids else snapshot.l3_asks:
        maker = str(order.maker)
        if maker not in makers:
            makers.append(maker)
            if limit is not None and len(makers) == limit:
                break
    return makers


def walk(levels: list[Level], amount: int, *, base: bool) -> tuple[int, int, int | None]:
    """Fill `amount` (base 1e9, or quote 1e6) against `levels`: (base, quote, worst price)."""
    filled_base = filled_quote = 0
    worst = None
    for level in levels:
        if amount <= 0:
            break
        level_quote = level.size * level.price // BASE_PRECISION
        if base:
            take = min(level.size, amount)
            quote = take * level.price // BASE_PRECISION
            amount -= take
        else:
            quote = min(level_quote, amount)
            take = level.size if quote == level_quote else quote * BASE_PRECISION // level.price
            amount -= quote
        filled_base, filled_quote, worst = filled_base + take, filled_quote + quote, level.price
    return filled_base, filled_quote, worst


def estimate(snapshot: Snapshot, *, long: bool, amount: int, base: bool) -> dict:
    """Entry, best and worst price and price impact of a market order walking the book."""
    levels = snapshot.levels(bids=not long, include_vamm=True)
    oracle = snapshot.oracle.price
    mark = mark_price(snapshot.bids[0].price if snapshot.bids else None,
                      snapshot.asks[0].price if snapshot.asks else None, oracle)
    filled_base, filled_quote, worst = walk(levels, amount, base=base)
    if not filled_base or worst is None:
        return {"oracle": oracle, "mark": mark, "best": oracle, "entry": oracle, "worst": oracle,
                "impact": Fraction(0), "base": 0}
    best = levels[0].price
    entry = filled_quote * BASE_PRECISION // filled_base
    impact = abs(Fraction(entry - best, best))
    return {"oracle": oracle, "mark": mark, "best": best, "entry": entry, "worst": worst,
            "impact": impact, "base": filled_base}
