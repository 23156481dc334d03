"""Time-weighted averages and rolling sums, as Drift keeps them on a market.

A TWAP over `window` seconds weighs the new price by the time since the last update and
the old average by what is left of the window. A rolling sum (the 24 h volume) decays
the old total linearly over its window and adds the new amount. The mark TWAP moves with
every fill, so the funding premium follows where the market actually trades.
"""

from typing import Any

FIVE_MINUTES = 300
DAY = 86_400


def time_weighted(previous: int, price: int, last_ts: int, now: int, window: int) -> int:
    since = max(0, now - last_ts)
    rest = max(0, window - since)
    if since + rest == 0:
        return previous
    return (previous * rest + price * since) // (since + rest)


def rolling_sum(previous: int, amount: int, since: int, window: int) -> int:
    return previous * max(0, window - max(0, since)) // window + amount


def update_mark(market: Any, price: int, now: int) -> None:
    """Move the mark TWAPs toward `price`; a fill always weighs at least a second."""
    amm = market.amm
    last_ts = min(amm.last_mark_price_twap_ts, now - 1)
    amm.last_mark_price_twap = time_weighted(amm.last_mark_price_twap, price, last_ts, now, amm.funding_period)
    amm.last_mark_price_twap5min = time_weighted(amm.last_mark_price_twap5min, price, last_ts, now, FIVE_MINUTES)
    amm.last_mark_price_twap_ts = now


def record_trade(market: Any, price: int, quote: int, now: int) -> None:
    """One perp fill: the mark TWAPs and the rolling 24 h quote volume."""
    update_mark(market, price, now)
    amm = market.amm
    amm.volume24h = rolling_sum(amm.volume24h, quote, now - amm.last_trade_ts, DAY)
    amm.last_trade_ts = now
