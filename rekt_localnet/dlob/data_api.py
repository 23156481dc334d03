"""Drift's data API paths, served beside the DLOB API from the localnet's own history.

- `GET /market/{symbol}/trades?limit=N`: `{"success": true, "records": [...]}`, newest
  first, each record shaped as the DLOB `trades` channel's messages.
- `GET /market/{symbol}/candles/{resolution}?limit=N&startTs=T`: resolution 1, 5, 15,
  60, 240 (minutes) or D; records newest first, the newest starting at or before
  `startTs` (default now), with `ts`, `fillOpen/High/Low/Close`, `oracleOpen/High/Low/
  Close`, `baseVolume` and `quoteVolume` as numbers in UI units, as the data API sends
  them. A span with no trade has fill fields of null; a span with no row at all (the
  localnet was not running) has no record.
- `GET /fundingRates?marketName=SOL-PERP` (or `marketIndex`): `{"fundingRates": [...]}`
  for the last 30 days, oldest first, fields as integer strings in Drift precision.
- `GET /contracts`: `{"contracts": [...]}`, one per perp market: last price, 24 h base
  and quote volume, high and low, open interest, index price, funding rate (per hour,
  as a fraction) with the predicted next one and when it is due.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from aiohttp import web

from rekt_localnet.dlob.markets import DlobMarket, MarketQueryError, from_query
from rekt_localnet.dlob.trades import trade_message
from rekt_localnet.market.chain import LedgerMarkets
from rekt_localnet.market.history import MarketHistory
from rekt_localnet.markets import PERP_MARKETS
from rekt_localnet.programs.drift.funding import FUNDING_RATE_BUFFER, funding_rate
from rekt_localnet.programs.drift.twaps import DAY, time_weighted
from rekt_localnet.ledger import Ledger

RESOLUTIONS = {"1": 60, "5": 300, "15": 900, "60": 3_600, "240": 14_400, "D": DAY}
DEFAULT_LIMIT, MAX_LIMIT = 1_000, 1_000
FUNDING_DAYS = 30
PRICE_DECIMALS, BASE_DECIMALS = 6, 9


def _number(value: int | None, decimals: int) -> float | None:
    """An exact decimal as a JSON number: a float whose shortest form is that decimal."""
    return None if value is None else float(Decimal(value).scaleb(-decimals))


def _text(value: int | Decimal, decimals: int = 0) -> str:
    return str(Decimal(value).scaleb(-decimals).normalize()) if decimals else str(value)


def _limit(query) -> int:
    raw = query.get("limit") or str(DEFAULT_LIMIT)
    if not raw.isdigit() or not 0 < int(raw) <= MAX_LIMIT:
        raise MarketQueryError(f"Bad Request: limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def _candle(candle) -> dict:
    price = (candle.fill_open, candle.fill_high, candle.fill_low, candle.fill_close)
    oracle = (candle.oracle_open, candle.oracle_high, candle.oracle_low, candle.oracle_close)
    body = {"ts": candle.start}
    for prefix, values in (("fill", price), ("oracle", oracle)):
        for name, value in zip(("Open", "High", "Low", "Close"), values):
            body[prefix + name] = _number(value, PRICE_DECIMALS)
    body["quoteVolume"] = _number(candle.quote_volume, PRICE_DECIMALS)
    body["baseVolume"] = _number(candle.base_volume, BASE_DECIMALS)
    return body


def _funding_record(entry: dict) -> dict:
    rate = str(entry["funding_rate"])
    return {
        "txSig": entry["signature"], "slot": entry["slot"], "ts": str(entry["ts"]),
        "recordId": str(entry["slot"]), "marketIndex": entry["market_index"], "fundingRate": rate,
        "cumulativeFundingRateLong": str(entry["cumulative_funding_rate_long"]),
        "cumulativeFundingRateShort": str(entry["cumulative_funding_rate_short"]),
        "oraclePriceTwap": str(entry["oracle_price_twap"]), "markPriceTwap": str(entry["mark_price_twap"]),
        "fundingRateLong": rate, "fundingRateShort": rate, "periodRevenue": "0",
        "baseAssetAmountWithAmm": str(entry["base_asset_amount_with_amm"]), "baseAssetAmountWithUnsettledLp": "0",
    }  # fmt: skip


def hourly_rate(rate: int, oracle_twap: int) -> Decimal:
    """A funding rate (1e9 quote per base) as a fraction of the price per hour."""
    return Decimal(rate) / (FUNDING_RATE_BUFFER * oracle_twap) if oracle_twap else Decimal(0)


@dataclass(frozen=True, slots=True)
class ChainFigures:
    """What a contract reads from the chain: the venue's market account and oracle (1e6 prices,
    1e9 base; funding rates 1e9 quote per base, as the program keeps them)."""

    oracle: int
    open_interest: int
    last_funding_rate: int
    last_funding_oracle_twap: int
    next_funding_rate: int
    oracle_twap: int
    next_funding_ts: int


def contract_body(history: MarketHistory, spec, now: int, chain: ChainFigures, quote: str = "USDC") -> dict:
    """One `/contracts` entry: the chain's figures and the day's trades from the history."""
    day = history.trades("perp", spec.market_index, limit=1_000_000, since_ts=now - DAY)
    prices = [trade["price"] for trade in day]
    last = history.trades("perp", spec.market_index, limit=1)
    oracle = chain.oracle
    return {
        "ticker_id": spec.symbol, "base_currency": spec.asset, "quote_currency": quote,
        "last_price": _text(last[0]["price"] if last else oracle, PRICE_DECIMALS),
        "base_volume": _text(sum(trade["base"] for trade in day), BASE_DECIMALS),
        "quote_volume": _text(sum(trade["price"] * trade["base"] // 10**BASE_DECIMALS for trade in day), PRICE_DECIMALS),
        "high": _text(max(prices, default=oracle), PRICE_DECIMALS), "low": _text(min(prices, default=oracle), PRICE_DECIMALS),
        "product_type": "PERP",
        "open_interest": _text(chain.open_interest, BASE_DECIMALS),
        "index_price": _text(oracle, PRICE_DECIMALS), "index_name": spec.asset, "index_currency": quote,
        "start_timestamp": 0, "end_timestamp": 0,
        "funding_rate": str(hourly_rate(chain.last_funding_rate, chain.last_funding_oracle_twap)),
        "next_funding_rate": str(hourly_rate(chain.next_funding_rate, chain.oracle_twap)),
        "next_funding_rate_timestamp": chain.next_funding_ts,
    }  # fmt: skip


def contract(ledger: Ledger, history: MarketHistory, spec, now: int) -> dict:
    markets = LedgerMarkets(ledger)
    amm = markets.perp_market(spec.market_index).amm
    oracle = markets.oracle_price(amm.oracle)
    oracle_twap = amm.historical_oracle_data.last_oracle_price_twap
    mark_now = time_weighted(amm.last_mark_price_twap, oracle, amm.last_mark_price_twap_ts, now, amm.funding_period)
    chain = ChainFigures(oracle, amm.base_asset_amount_long, amm.last_funding_rate, amm.last_funding_oracle_twap,
                         funding_rate(mark_now, oracle_twap), oracle_twap,
                         amm.last_funding_rate_ts + amm.funding_period)  # fmt: skip
    return contract_body(history, spec, now, chain)


def data_routes(
    ledger: Ledger, history: MarketHistory, clock: Callable[[], float] = time.time, *,
    contracts: Callable[[int], list[dict]] | None = None, market_of: Callable[[dict], DlobMarket] = from_query,
) -> web.RouteTableDef:
    """The routes over `ledger`'s history. `contracts(now)` and `market_of(query)` (a market by
    `marketName`, or `marketIndex` and `marketType`) are the venue's, Drift's by default; the
    relaunch's localnet passes its own (`dlob/velocity.py`)."""
    table = web.RouteTableDef()

    def drift_contracts(now: int) -> list[dict]:
        return [contract(ledger, history, spec, now) for spec in PERP_MARKETS]

    listed = contracts or drift_contracts

    def guarded(handler):
        async def guarded_handler(request: web.Request) -> web.StreamResponse:
            try:
                return web.json_response(handler(request))
            except MarketQueryError as error:
                return web.Response(status=400, text=str(error))

        return guarded_handler

    @table.get("/market/{symbol}/trades")
    @guarded
    def trades(request: web.Request) -> dict:
        market = market_of({"marketName": request.match_info["symbol"]})
        records = history.trades(market.market_type, market.index, limit=_limit(request.query))
        return {"success": True, "records": [trade_message(trade) for trade in records]}

    @table.get("/market/{symbol}/candles/{resolution}")
    @guarded
    def candles(request: web.Request) -> dict:
        market = market_of({"marketName": request.match_info["symbol"]})
        seconds = RESOLUTIONS.get(request.match_info["resolution"])
        if seconds is None:
            raise MarketQueryError(f"Bad Request: resolution must be one of {', '.join(RESOLUTIONS)}")
        raw = request.query.get("startTs") or str(int(clock()))
        if not raw.isdigit():
            raise MarketQueryError("Bad Request: startTs must be a unix time in seconds")
        found = history.candles(market.market_type, market.index, seconds=seconds, limit=_limit(request.query), newest=int(raw))
        return {"success": True, "records": [_candle(candle) for candle in found]}

    @table.get("/fundingRates")
    @guarded
    def funding_rates(request: web.Request) -> dict:
        market = market_of({"marketType": "perp", **request.query})
        if market.market_type != "perp":
            raise MarketQueryError(f"Bad Request: {market.name} is not a perp market")
        since = int(clock()) - FUNDING_DAYS * DAY
        return {"fundingRates": [_funding_record(entry) for entry in history.funding(market.index, since_ts=since)]}

    @table.get("/contracts")
    @guarded
    def contracts(request: web.Request) -> dict:
        return {"contracts": listed(int(clock()))}

    return table
