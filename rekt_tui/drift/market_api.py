"""Drift's public market data, read without any wallet: PerpMarket accounts over RPC, the
data API (`/contracts`, `/market/{symbol}/trades|candles`, `/fundingRates`) and the DLOB's `/l2`.

Every answer is parsed strictly into our domain values; anything else (no answer, an
HTTP error, JSON of the wrong shape) becomes one `MarketDataError` sentence, so a panel
can say it and grey its figures rather than show a traceback. driftpy is loaded on the
first chain read only: it costs most of a second.
"""

import asyncio
import base64
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import aiohttp

from rekt_tui.domain.market_context import (
    BASE_PRECISION, PRICE_PRECISION, Candle, ChainMarket, Contract, FundingPayment, MarketDataError, Trade,
)  # fmt: skip
from rekt_tui.domain.orderbook import OrderBook
from rekt_tui.domain.records import Direction
from rekt_tui.domain.venue import VenueConfig
from rekt_tui.drift.dlob import fetch_l2
from rekt_tui.drift.rpc import JsonRpc

if TYPE_CHECKING:
    from rekt_tui.drift.trade_feed import TradeFeed

TIMEOUT_S = 8.0


def _units(value: Any, precision: int) -> int:
    """A data-API number in UI units ("12.5" or 12.5) as an exact integer in `precision`."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"not a number: {value!r}")
    scaled = Decimal(str(value)) * precision
    if not scaled.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return int(scaled.to_integral_value())


def _maybe_units(value: Any, precision: int) -> int | None:
    return None if value is None else _units(value, precision)


def _rate(value: Any) -> Decimal:
    rate = Decimal(str(value))
    if not rate.is_finite():
        raise ValueError(f"not a finite rate: {value!r}")
    return rate


def parse_contract(raw: dict) -> Contract:
    return Contract(
        symbol=str(raw["ticker_id"]),
        last_price=_units(raw["last_price"], PRICE_PRECISION),
        base_volume=_units(raw["base_volume"], BASE_PRECISION),
        quote_volume=_units(raw["quote_volume"], PRICE_PRECISION),
        high=_units(raw["high"], PRICE_PRECISION),
        low=_units(raw["low"], PRICE_PRECISION),
        index_price=_units(raw["index_price"], PRICE_PRECISION),
        open_interest=_units(raw["open_interest"], BASE_PRECISION),
        funding_rate=_rate(raw["funding_rate"]),
        next_funding_rate=_rate(raw["next_funding_rate"]),
        next_funding_ts=int(raw["next_funding_rate_timestamp"]),
    )


def parse_trade(raw: dict) -> Trade:
    side = raw["takerOrderDirection"]
    if side not in ("long", "short"):
        raise ValueError(f"unknown side {side!r}")
    return Trade(
        ts=int(raw["ts"]), slot=int(raw["slot"]), side=Direction(side), price=int(raw["price"]),
        base=int(raw["baseAssetAmountFilled"]), taker=raw.get("taker"), maker=raw.get("maker"),
        signature=raw.get("txSig"),
    )  # fmt: skip


def parse_candle(raw: dict) -> Candle:
    return Candle(
        ts=int(raw["ts"]),
        open=_maybe_units(raw.get("fillOpen"), PRICE_PRECISION),
        high=_maybe_units(raw.get("fillHigh"), PRICE_PRECISION),
        low=_maybe_units(raw.get("fillLow"), PRICE_PRECISION),
        close=_maybe_units(raw.get("fillClose"), PRICE_PRECISION),
        oracle_open=_maybe_units(raw.get("oracleOpen"), PRICE_PRECISION),
        oracle_close=_maybe_units(raw.get("oracleClose"), PRICE_PRECISION),
        base_volume=_units(raw.get("baseVolume") or 0, BASE_PRECISION),
    )


def parse_funding(raw: dict) -> FundingPayment:
    return FundingPayment(
        ts=int(raw["ts"]), rate=int(raw["fundingRate"]),
        oracle_twap=int(raw["oraclePriceTwap"]), mark_twap=int(raw["markPriceTwap"]),
    )  # fmt: skip


class DriftMarketData:
    """Public market data of one Drift cluster; create inside the event loop that uses it."""

    def __init__(self, config: VenueConfig, data_api_url: str) -> None:
        self._config = config
        self._data_url = data_api_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None
        self._rpc = JsonRpc(config.rpc_url, timeout_s=TIMEOUT_S)
        self._decode = None  # driftpy's account decoder, built on the first chain read

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        await self._rpc.close()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S))
        return self._session

    async def _get(self, base: str, path: str, params: dict[str, str] | None = None) -> Any:
        url = f"{base}{path}"
        try:
            async with self._http().get(url, params=params) as response:
                if response.status == 400:
                    raise MarketDataError(f"{base} refused {path}: {(await response.text())[:160]}.")
                if response.status != 200:
                    raise MarketDataError(f"{base} answered {path} with HTTP {response.status}.")
                return await response.json(content_type=None)
        except MarketDataError:
            raise
        except asyncio.TimeoutError:
            raise MarketDataError(f"{base} did not answer {path} within {TIMEOUT_S:.0f} s.") from None
        except (aiohttp.ClientError, ValueError) as error:
            raise MarketDataError(f"{base} gave no usable answer to {path} ({type(error).__name__}).") from None

    async def _records(self, path: str, key: str, parse, params: dict[str, str] | None = None) -> list:
        body = await self._get(self._data_url, path, params)
        try:
            return [parse(raw) for raw in body[key]]
        except (KeyError, TypeError, ValueError, ArithmeticError):
            raise MarketDataError(f"{self._data_url} answered {path} with data of an unexpected shape.") from None

    async def contracts(self) -> list[Contract]:
        return await self._records("/contracts", "contracts", parse_contract)

    async def trades(self, market: str, limit: int) -> list[Trade]:
        return await self._records(f"/market/{market}/trades", "records", parse_trade, {"limit": str(limit)})

    def trade_feed(self, market: str) -> "TradeFeed":
        from rekt_tui.drift.trade_feed import TradeFeed  # it imports this module's parser

        return TradeFeed(self._config.dlob_ws_url, market, stale_after_s=self._config.stale_after_s)

    async def candles(self, market: str, resolution: str, limit: int) -> list[Candle]:
        path = f"/market/{market}/candles/{resolution}"
        return await self._records(path, "records", parse_candle, {"limit": str(limit)})

    async def funding_history(self, market: str) -> list[FundingPayment]:
        return await self._records("/fundingRates", "fundingRates", parse_funding, {"marketName": market})

    async def book(self, market: str, depth: int) -> OrderBook:
        url = self._config.dlob_url.rstrip("/")
        try:
            return await fetch_l2(self._http(), url, market, depth=depth)
        except aiohttp.ClientResponseError as error:
            raise MarketDataError(f"{url} answered /l2 for {market} with HTTP {error.status}.") from None
        except asyncio.TimeoutError:
            raise MarketDataError(f"{url} did not answer /l2 within {TIMEOUT_S:.0f} s.") from None
        except (aiohttp.ClientError, KeyError, TypeError, ValueError) as error:
            raise MarketDataError(f"{url} gave no usable book for {market} at /l2 ({type(error).__name__}).") from None

    async def chain_markets(self) -> list[ChainMarket]:
        """Every perp market's account and oracle, read now over RPC."""
        try:
            return await self._chain_markets()
        except MarketDataError:
            raise
        except Exception as error:  # noqa: BLE001 - transport, JSON-RPC and decoding failures alike
            raise MarketDataError(
                f"{self._config.rpc_url} gave no usable perp markets ({type(error).__name__})."
            ) from None

    async def _chain_markets(self) -> list[ChainMarket]:
        # Our own JSON-RPC reads: driftpy's account helpers print their failures to stdout.
        from driftpy.accounts.oracle import get_oracle_decode_fn
        from driftpy.addresses import get_perp_market_public_key, get_state_public_key
        from driftpy.decode.utils import decode_name
        from driftpy.math.amm import calculate_price

        from rekt_tui.drift.snapshots import PERP_OPERATIONS, paused, snake, variant

        decode = self._decoder()
        program_id = self._program_id()
        (state,), _ = await self._accounts([get_state_public_key(program_id)])
        keys = [get_perp_market_public_key(program_id, i) for i in range(decode(state).number_of_markets)]
        found, slot = await self._accounts(keys)
        perps = [decode(data) for data in found]
        oracles, _ = await self._accounts([m.amm.oracle for m in perps])
        markets = []
        for market, oracle in zip(perps, oracles):
            amm = market.amm
            reserve = calculate_price(amm.base_asset_reserve, amm.quote_asset_reserve, amm.peg_multiplier)
            markets.append(
                ChainMarket(
                    market_index=market.market_index, symbol=decode_name(market.name), slot=slot,
                    oracle_price=get_oracle_decode_fn(amm.oracle_source)(oracle).price,
                    reserve_price=int(reserve) or None,
                    base_long=amm.base_asset_amount_long, base_short=-amm.base_asset_amount_short,
                    last_funding_rate=amm.last_funding_rate, last_funding_oracle_twap=amm.last_funding_oracle_twap,
                    last_funding_rate_ts=amm.last_funding_rate_ts, funding_period=amm.funding_period,
                    status=snake(variant(market.status)),
                    paused_operations=paused(market.paused_operations, PERP_OPERATIONS),
                )
            )  # fmt: skip
        return sorted(markets, key=lambda m: m.market_index)

    async def _accounts(self, keys: list) -> tuple[list[bytes], int]:
        """The data of each account, at one slot; one sentence if any is missing. One attempt:
        the screen reads again in seconds, and a retry budget would only delay its sentence."""
        result = await self._rpc.call_once("getMultipleAccounts", [[str(k) for k in keys], {"encoding": "base64"}])
        missing = [str(k) for k, value in zip(keys, result["value"]) if value is None]
        if missing:
            raise MarketDataError(f"{self._config.rpc_url} has no account {missing[0]}; check the cluster's program_id.")
        return [base64.b64decode(value["data"][0]) for value in result["value"]], int(result["context"]["slot"])

    def _program_id(self):
        from solders.pubkey import Pubkey

        return Pubkey.from_string(self._config.program_id)

    def _decoder(self):
        if self._decode is None:
            from solders.keypair import Keypair

            from rekt_tui.drift.client import Endpoint, build_client

            config = self._config
            endpoint = Endpoint(config.cluster, config.rpc_url, config.program_id, config.lookup_tables)
            # A throwaway key: nothing here signs; only the program's account coder is used.
            self._decode = build_client(endpoint, Keypair(), subscription="cached").program.coder.accounts.decode
        return self._decode


def open_drift_market_data(config: VenueConfig, data_api_url: str) -> DriftMarketData:
    return DriftMarketData(config, data_api_url)
