"""Funding: a periodic payment between longs and shorts, settled into positions.

Every `funding_period` (an hour) the market's cumulative funding rates move by the
premium of the mark TWAP over the oracle TWAP, paid over a day in 24 hourly periods, as
Drift's program does: longs pay when the market trades above the oracle. The mark TWAP
moves with every fill (`twaps.py`); at the funding crank it is first brought forward to
the AMM's mid (the oracle here), as the program brings it forward from the AMM's
estimate, so a premium fades once trading stops. The premium is capped at a 33rd of the
oracle TWAP (the program's cap for a tier-A market). Each update also keeps the 24 h
average rate and logs a funding record (`rekt-funding {...}`) for the market history.

A position settles what it owes (`settle_funding`) before any change to it, then
tracks the cumulative rate of its side (`track_funding`), as Drift does.
"""

import json
from typing import Any

from .constants import BASE_PRECISION, EXCHANGE_FUNDING_PAUSED, PERP_OP_UPDATE_FUNDING
from .errors import fail
from .twaps import DAY, time_weighted, update_mark
from .view import DriftView

FUNDING_RATE_BUFFER = 1_000
MAX_PREMIUM_DIVISOR = 33
PERIODS_PER_DAY = 24
FUNDING_LOG_PREFIX = "rekt-funding "


def _side_rate(market: Any, base: int) -> int:
    return market.amm.cumulative_funding_rate_long if base > 0 else market.amm.cumulative_funding_rate_short


def pending_funding(position: Any, market: Any) -> int:
    """Funding the position has earned (positive) or owes since it last settled, 1e6."""
    if position.base_asset_amount == 0:
        return 0
    delta = _side_rate(market, position.base_asset_amount) - position.last_cumulative_funding_rate
    return -(delta * position.base_asset_amount) // (BASE_PRECISION * FUNDING_RATE_BUFFER)


def settle_funding(user: Any, position: Any, market: Any) -> int:
    """Move the funding a position owes (or earns) into its quote; returns it (1e6)."""
    payment = pending_funding(position, market)
    if position.base_asset_amount:
        position.last_cumulative_funding_rate = _side_rate(market, position.base_asset_amount)
    position.quote_asset_amount += payment
    user.cumulative_perp_funding += payment
    return payment


def track_funding(position: Any, market: Any) -> None:
    """After a change: the position owes funding from now on, at its (new) side's rate."""
    base = position.base_asset_amount
    position.last_cumulative_funding_rate = _side_rate(market, base) if base else 0


def funding_rate(mark_twap: int, oracle_twap: int) -> int:
    """This period's rate (quote per base, PRICE_PRECISION * FUNDING_RATE_BUFFER), rounded
    toward zero: the capped premium of the mark over the oracle, over 24 periods."""
    cap = oracle_twap // MAX_PREMIUM_DIVISOR
    premium = max(-cap, min(cap, mark_twap - oracle_twap))
    rate = abs(premium) * FUNDING_RATE_BUFFER // PERIODS_PER_DAY
    return rate if premium >= 0 else -rate


def update_funding_rate(view: DriftView, accounts: Any, args: Any) -> None:
    market = view.perp_market(args.market_index)
    if view.state().exchange_status & EXCHANGE_FUNDING_PAUSED or market.paused_operations & PERP_OP_UPDATE_FUNDING:
        raise fail("MarketActionPaused", f"funding in perp market {args.market_index} is paused")
    amm = market.amm
    now = view.ctx.clock.unix_timestamp
    if now < amm.last_funding_rate_ts + amm.funding_period:
        due = amm.last_funding_rate_ts + amm.funding_period
        raise fail("FundingWasNotUpdated", f"the next funding is due at {due}")
    update_mark(market, view.oracle_price(amm.oracle), now)
    oracle_twap = amm.historical_oracle_data.last_oracle_price_twap
    rate = funding_rate(amm.last_mark_price_twap, oracle_twap)
    amm.cumulative_funding_rate_long += rate
    amm.cumulative_funding_rate_short += rate
    amm.last24h_avg_funding_rate = time_weighted(amm.last24h_avg_funding_rate, rate, amm.last_funding_rate_ts, now, DAY)
    amm.last_funding_rate = amm.last_funding_rate_long = amm.last_funding_rate_short = rate
    amm.last_funding_rate_ts = now
    amm.last_funding_oracle_twap = oracle_twap
    view.ctx.log(f"funding rate {rate} in perp market {args.market_index}")
    record = {
        "market_index": args.market_index,
        "ts": now,
        "slot": view.ctx.clock.slot,
        "funding_rate": rate,
        "cumulative_funding_rate_long": amm.cumulative_funding_rate_long,
        "cumulative_funding_rate_short": amm.cumulative_funding_rate_short,
        "oracle_price_twap": oracle_twap,
        "mark_price_twap": amm.last_mark_price_twap,
        "base_asset_amount_with_amm": amm.base_asset_amount_with_amm,
    }
    view.ctx.log(FUNDING_LOG_PREFIX + json.dumps(record, separators=(",", ":")))
    view.save(market.pubkey)
