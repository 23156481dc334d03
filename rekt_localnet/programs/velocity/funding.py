"""Funding on the relaunch's layout: the Drift simulation's rule over the PerpMarket's own fields.

`update_funding_rate` (once per `market_stats.funding_period`) moves the market's cumulative
funding rates by the capped premium of the mark TWAP over the oracle TWAP, over 24 periods
(`programs.drift.funding.funding_rate`). The mark TWAP follows the book's fills and is brought
forward to the oracle at each crank, so a premium fades once trading stops. Positions settle
what they owe before any change to them and at `settle_pnl`, and margin counts it meanwhile.
"""

import json
from typing import Any

from solders.pubkey import Pubkey

from rekt_localnet.programs.drift.funding import FUNDING_LOG_PREFIX, FUNDING_RATE_BUFFER, funding_rate
from rekt_localnet.programs.drift.twaps import time_weighted

from .constants import BASE_PRECISION
from .errors import fail
from .events import emit
from .view import VelocityView

TWAP_SECONDS = 3_600


def _side_rate(market: dict[str, Any], base: int) -> int:
    return market["cumulative_funding_rate_long"] if base > 0 else market["cumulative_funding_rate_short"]


def pending_funding(position: dict[str, Any], market: dict[str, Any]) -> int:
    """What the position has earned (positive) or owes since it last settled, 1e6."""
    base = position["base_asset_amount"]
    if base == 0:
        return 0
    delta = _side_rate(market, base) - position["last_cumulative_funding_rate"]
    return -(delta * base) // (BASE_PRECISION * FUNDING_RATE_BUFFER)


def settle_funding(view: VelocityView, key: Pubkey, user: dict[str, Any], position: dict[str, Any],
                   market: dict[str, Any]) -> None:  # fmt: skip
    """Move what the position owes or earned into its quote; as the program does whenever an
    open position's side rate moved, log a FundingPaymentRecord (the history's funding)."""
    base, last_rate = position["base_asset_amount"], position["last_cumulative_funding_rate"]
    payment = pending_funding(position, market)
    position["quote_asset_amount"] += payment
    user["cumulative_perp_funding"] += payment
    if base and _side_rate(market, base) != last_rate:
        emit(
            view, "FundingPaymentRecord", user_authority=user["authority"], user=key,
            market_index=market["market_index"], funding_payment=payment, base_asset_amount=base,
            user_last_cumulative_funding=last_rate, amm_cumulative_funding_long=market["cumulative_funding_rate_long"],
            amm_cumulative_funding_short=market["cumulative_funding_rate_short"],
        )  # fmt: skip
    track_funding(position, market)


def track_funding(position: dict[str, Any], market: dict[str, Any]) -> None:
    """After a change: the position owes funding from now on, at its side's rate."""
    base = position["base_asset_amount"]
    position["last_cumulative_funding_rate"] = _side_rate(market, base) if base else 0


def move_mark(market: dict[str, Any], price: int, now: int) -> None:
    """A fill moves the mark TWAP."""
    stats = market["market_stats"]
    previous = stats["last_mark_price_twap"] or price
    stats["last_mark_price_twap"] = time_weighted(previous, price, stats["last_mark_price_twap_ts"], now, TWAP_SECONDS)
    stats["last_mark_price_twap_ts"] = now
    stats["last_trade_ts"] = now


def update_funding_rate(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    key, market = view.perp_market(args["market_index"])
    stats, now = market["market_stats"], view.ctx.clock.unix_timestamp
    due = market["last_funding_rate_ts"] + stats["funding_period"]
    if now < due:
        raise fail("FundingWasNotUpdated", f"the next funding is due at {due}")
    oracle = view.oracle_price(market["oracle"])
    history = stats["historical_oracle_data"]
    oracle_twap = time_weighted(history["last_oracle_price_twap"] or oracle, oracle, history["last_oracle_price_twap_ts"],
                                now, TWAP_SECONDS)  # fmt: skip
    history.update(last_oracle_price=oracle, last_oracle_price_twap=oracle_twap, last_oracle_price_twap_ts=now)
    last_trade = stats["last_trade_ts"]
    move_mark(market, oracle, now)  # the mark is brought forward to the oracle, which is no trade
    stats["last_trade_ts"] = last_trade
    rate = funding_rate(stats["last_mark_price_twap"], oracle_twap)
    market["cumulative_funding_rate_long"] += rate
    market["cumulative_funding_rate_short"] += rate
    market["last_funding_rate"] = market["last_funding_rate_long"] = market["last_funding_rate_short"] = rate
    market["last_funding_rate_ts"] = now
    stats["last_funding_oracle_twap"] = oracle_twap
    market["next_funding_rate_record_id"] += 1
    emit(
        view, "FundingRateRecord", record_id=market["next_funding_rate_record_id"], market_index=args["market_index"],
        funding_rate=rate, funding_rate_long=rate, funding_rate_short=rate,
        cumulative_funding_rate_long=market["cumulative_funding_rate_long"],
        cumulative_funding_rate_short=market["cumulative_funding_rate_short"],
        oracle_price_twap=oracle_twap, mark_price_twap=stats["last_mark_price_twap"],
    )  # fmt: skip
    record = {  # the localnet's funding history (the data API's /fundingRates) reads this line
        "market_index": args["market_index"], "ts": now, "slot": view.ctx.clock.slot, "funding_rate": rate,
        "cumulative_funding_rate_long": market["cumulative_funding_rate_long"],
        "cumulative_funding_rate_short": market["cumulative_funding_rate_short"], "oracle_price_twap": oracle_twap,
        "mark_price_twap": stats["last_mark_price_twap"], "base_asset_amount_with_amm": 0,  # no AMM on the relaunch
    }  # fmt: skip
    view.ctx.log(FUNDING_LOG_PREFIX + json.dumps(record, separators=(",", ":")))
    view.save(key)
