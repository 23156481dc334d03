"""Funding: a periodic payment between longs and shorts, settled into positions.

Every `funding_period` the market's cumulative funding rates move by a rate set from a
premium over the oracle. With the AMM quoting the oracle there is no mark/oracle gap
to speak of, so the premium comes from the skew of open interest: the users' net
position against the AMM as a share of the AMM's depth, capped at 0.1 % of the oracle,
paid over a day in 24 hourly periods. Longs pay when users are net long. Funding is
small by design; it exists so positions carry the funding figures driftpy shows.

A position settles what it owes (`settle_funding`) before any change to it, then
tracks the cumulative rate of its side (`track_funding`), as Drift does.
"""

from typing import Any

from .constants import BASE_PRECISION, EXCHANGE_FUNDING_PAUSED, PERCENTAGE_PRECISION, PERP_OP_UPDATE_FUNDING
from .errors import fail
from .view import DriftView

FUNDING_RATE_BUFFER = 1_000
MAX_PREMIUM = 1_000  # 0.1 % of the oracle, in PERCENTAGE_PRECISION
PERIODS_PER_DAY = 24


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


def funding_rate(market: Any, oracle: int) -> int:
    """This period's rate (quote per base, PRICE_PRECISION * FUNDING_RATE_BUFFER)."""
    skew = market.amm.base_asset_amount_with_amm * PERCENTAGE_PRECISION // market.amm.sqrt_k
    skew = max(-MAX_PREMIUM, min(MAX_PREMIUM, skew))
    premium = oracle * skew // PERCENTAGE_PRECISION
    return premium * FUNDING_RATE_BUFFER // PERIODS_PER_DAY


def update_funding_rate(view: DriftView, accounts: Any, args: Any) -> None:
    market = view.perp_market(args.market_index)
    if view.state().exchange_status & EXCHANGE_FUNDING_PAUSED or market.paused_operations & PERP_OP_UPDATE_FUNDING:
        raise fail("MarketActionPaused", f"funding in perp market {args.market_index} is paused")
    amm = market.amm
    now = view.ctx.clock.unix_timestamp
    if now < amm.last_funding_rate_ts + amm.funding_period:
        due = amm.last_funding_rate_ts + amm.funding_period
        raise fail("FundingWasNotUpdated", f"the next funding is due at {due}")
    oracle = view.oracle_price(amm.oracle)
    rate = funding_rate(market, oracle)
    amm.cumulative_funding_rate_long += rate
    amm.cumulative_funding_rate_short += rate
    amm.last_funding_rate = amm.last_funding_rate_long = amm.last_funding_rate_short = rate
    amm.last_funding_rate_ts = now
    amm.last_funding_oracle_twap = oracle
    view.ctx.log(f"funding rate {rate} in perp market {args.market_index}")
    view.save(market.pubkey)
